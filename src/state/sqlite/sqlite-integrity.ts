// Start-up checks of an existing SQLite state file. A file with damaged pages can open and even
// answer /readyz, then fail the first approval with SQLITE_CORRUPT; a file that lost its tables
// would be re-created empty, silently resetting budgets and approvals. Both refuse to start.
import { DatabaseSync } from "node:sqlite";
import { AegisError } from "../../errors/registry.ts";
import { ORIGINAL_TABLES, SCHEMA_V1 } from "./sqlite-schema.ts";

/** How many problems PRAGMA quick_check may report before it stops (it is O(pages) either way). */
const MAX_REPORTED = 5;

interface Column {
  readonly name: string;
  readonly type: string;
  readonly notnull: number;
  readonly pk: number;
}

/** Throws AEGIS_ERR_STATE naming the first problem; returns when the file is sound. */
export function checkIntegrity(db: DatabaseSync, path: string): void {
  let findings: string[];
  try {
    findings = db.prepare(`PRAGMA quick_check(${MAX_REPORTED})`).all().map((row) => String(Object.values(row)[0]));
  } catch (cause) {
    throw corrupt(path, cause instanceof Error ? cause.message : String(cause), cause);
  }
  if (findings.length !== 1 || findings[0] !== "ok") throw corrupt(path, findings.join("; "));
  const problem = schemaProblem(db);
  if (problem !== null) throw corrupt(path, problem);
}

function schemaProblem(db: DatabaseSync): string | null {
  const expected = referenceColumns();
  const present = new Set(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all().map((row) => String(row["name"])));
  const missing = ORIGINAL_TABLES.filter((table) => !present.has(table));
  if (missing.length === ORIGINAL_TABLES.length) return "it holds no Aegis state tables (not an Aegis state database)";
  if (missing.length > 0) return `the table(s) ${missing.join(", ")} are missing`;
  for (const [table, columns] of expected) {
    if (!present.has(table)) continue;
    const found = JSON.stringify(columnsOf(db, table));
    if (found !== JSON.stringify(columns)) return `the table ${table} does not have the expected columns`;
  }
  return null;
}

/** Each table's columns as version 1 defines them, read from a scratch in-memory database. */
function referenceColumns(): Map<string, Column[]> {
  const reference = new DatabaseSync(":memory:");
  try {
    reference.exec(SCHEMA_V1);
    const tables = reference.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all();
    return new Map(tables.map((row) => [String(row["name"]), columnsOf(reference, String(row["name"]))]));
  } finally {
    reference.close();
  }
}

function columnsOf(db: DatabaseSync, table: string): Column[] {
  return db
    .prepare("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid")
    .all(table)
    .map((row) => ({ name: String(row["name"]), type: String(row["type"]), notnull: Number(row["notnull"]), pk: Number(row["pk"]) }));
}

export function corrupt(path: string, detail: string, cause?: unknown): AegisError {
  return new AegisError(
    "AEGIS_ERR_STATE",
    `SQLite state at ${path} failed its integrity check: ${detail}. Aegis will not start on it: restore the file from a backup, or move it aside to start with empty state`,
    { details: { path, detail }, ...(cause === undefined ? {} : { cause }) },
  );
}
