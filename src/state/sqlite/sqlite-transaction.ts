import type { DatabaseSync } from "node:sqlite";

// BEGIN IMMEDIATE takes the write lock up front, so a read-check-write sequence cannot interleave
// with another process's; waiting for the lock is bounded by the connection's busy timeout.
export function immediate<T>(db: DatabaseSync, run: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = run();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}
