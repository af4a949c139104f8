// Where the state database file comes from. A missing file is made complete elsewhere and
// linked into place, so no process (another replica opening the same path at the same moment)
// ever sees it half-made; a zero-length file is then never one being created, but one that lost
// its contents (a truncation, a failed restore), and is refused unless the operator asks for
// a fresh database with `?initialize=true`.
import { randomBytes } from "node:crypto";
import { constants, copyFileSync, linkSync, mkdirSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { AegisError } from "../../errors/registry.ts";
import { applySchema } from "./sqlite-schema.ts";

/** What open() should do with the file at `path` once this returns. */
export type PreparedFile = "check" | "initialize";

export function prepareDatabaseFile(path: string, initialize: boolean): PreparedFile {
  const size = fileSize(path);
  if (size === undefined) {
    mkdirSync(dirname(path), { recursive: true });
    createComplete(path);
    return "check";
  }
  if (size > 0) return "check";
  if (initialize) return "initialize";
  throw new AegisError(
    "AEGIS_ERR_STATE",
    `SQLite state at ${path} is an empty (zero-byte) file, not a database: its approvals, tokens and budgets are gone. ` +
      "Restore it from a backup, or start once with the state URL's ?initialize=true to begin with empty state",
    { details: { path } },
  );
}

function fileSize(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

function createComplete(path: string): void {
  const scratch = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.new`;
  try {
    const db = new DatabaseSync(scratch);
    try {
      db.exec("PRAGMA journal_mode = WAL");
      applySchema(db);
    } finally {
      // Closing the only connection checkpoints the WAL into the file and removes it.
      db.close();
    }
    try {
      linkSync(scratch, path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Another process linked its file first; it is just as complete.
      if (code === "EEXIST") return;
      if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP") throw err;
      // A file system without hard links: an exclusive copy, which another process could see
      // half-written for a moment (it would refuse to start rather than misread it).
      try {
        copyFileSync(scratch, path, constants.COPYFILE_EXCL);
      } catch (copyErr) {
        if ((copyErr as NodeJS.ErrnoException).code !== "EEXIST") throw copyErr;
      }
    }
  } finally {
    for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${scratch}${suffix}`, { force: true });
  }
}
