import type { DatabaseSync } from "node:sqlite";
import { AegisError } from "../../errors/registry.ts";
import { immediate } from "./sqlite-transaction.ts";

export const SCHEMA_VERSION = 1;

// Times are epoch milliseconds (INTEGER); budget amounts are REAL.
export const SCHEMA_V1 = `
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);

CREATE TABLE IF NOT EXISTS approvals (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  tenant TEXT NOT NULL,
  agent TEXT NOT NULL,
  tool TEXT NOT NULL,
  action TEXT NOT NULL,
  digest TEXT NOT NULL,
  reason TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  policy_version TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied')),
  approver TEXT,
  comment TEXT,
  resolved_at INTEGER,
  params_preview TEXT
);
CREATE INDEX IF NOT EXISTS approvals_by_tenant_status ON approvals (tenant, status, seq);
CREATE INDEX IF NOT EXISTS approvals_by_digest ON approvals (tenant, digest, status);
CREATE INDEX IF NOT EXISTS approvals_by_expiry ON approvals (expires_at);

CREATE TABLE IF NOT EXISTS override_tokens (
  token_hash TEXT PRIMARY KEY,
  digest TEXT NOT NULL,
  approval_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE INDEX IF NOT EXISTS override_tokens_by_expiry ON override_tokens (expires_at);

CREATE TABLE IF NOT EXISTS budget_windows (
  tenant TEXT NOT NULL,
  agent TEXT NOT NULL,
  name TEXT NOT NULL,
  window_seconds INTEGER NOT NULL,
  window_start INTEGER NOT NULL,
  window_end INTEGER NOT NULL,
  spent REAL NOT NULL,
  PRIMARY KEY (tenant, agent, name, window_seconds, window_start)
);
CREATE INDEX IF NOT EXISTS budget_windows_by_end ON budget_windows (window_end);

CREATE TABLE IF NOT EXISTS tombstones (
  id TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS tombstones_by_expiry ON tombstones (expires_at);

-- Added within version 1 (CREATE IF NOT EXISTS adds it to older files): call_chain.single_use.
CREATE TABLE IF NOT EXISTS attestation_ids (
  id TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS attestation_ids_by_expiry ON attestation_ids (expires_at);
`;

/**
 * Tables a version-1 file holds from its first day. Tables added later within version 1 (marked
 * in SCHEMA_V1) are created on open when missing; every table present must have its columns.
 */
export const ORIGINAL_TABLES: readonly string[] = ["schema_version", "approvals", "override_tokens", "budget_windows", "tombstones"];

/** Idempotent: several processes may open the same file at once. */
export function applySchema(db: DatabaseSync): void {
  immediate(db, () => {
    db.exec(SCHEMA_V1);
    const row = db.prepare("SELECT max(version) AS version FROM schema_version").get();
    const found = row?.["version"];
    if (found === null || found === undefined) {
      db.prepare("INSERT INTO schema_version (version) VALUES (?)").run(SCHEMA_VERSION);
    } else if (found !== SCHEMA_VERSION) {
      throw new AegisError(
        "AEGIS_ERR_STATE",
        `state database has schema version ${String(found)}, this Aegis understands ${SCHEMA_VERSION}`,
        { details: { found, expected: SCHEMA_VERSION } },
      );
    }
  });
}
