import type { DatabaseSync } from "node:sqlite";
import { APPROVAL_RETENTION_MS, TOKEN_RETENTION_MS } from "../approval-record.ts";
import { CLOCK_GRACE_MS } from "../clock-grace.ts";

/** Expired rows are deleted by the first write at least this long after the previous sweep. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * One sweep of every table, shared by the ports' writes. It runs inside the caller's write
 * transaction, so it never takes the lock on its own.
 */
export type Sweep = (now: number) => void;

export function sqliteSweeper(db: DatabaseSync): Sweep {
  const budgets = db.prepare("DELETE FROM budget_windows WHERE window_end <= :before");
  const tokens = db.prepare("DELETE FROM override_tokens WHERE expires_at <= :before");
  const tombstones = db.prepare("DELETE FROM tombstones WHERE expires_at <= :before");
  const attestationIds = db.prepare("DELETE FROM attestation_ids WHERE expires_at <= :before");
  const approvals = db.prepare("DELETE FROM approvals WHERE expires_at <= :before");
  let lastSweep = Number.NEGATIVE_INFINITY;
  return (now) => {
    if (now - lastSweep < SWEEP_INTERVAL_MS) return;
    lastSweep = now;
    // Kept a clock grace past their end, as Redis keeps its keys: see clock-grace.ts.
    budgets.run({ before: now - CLOCK_GRACE_MS });
    tokens.run({ before: now - TOKEN_RETENTION_MS });
    tombstones.run({ before: now - CLOCK_GRACE_MS });
    attestationIds.run({ before: now - CLOCK_GRACE_MS });
    approvals.run({ before: now - APPROVAL_RETENTION_MS });
  };
}
