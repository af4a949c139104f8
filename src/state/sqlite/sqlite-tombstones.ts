import type { DatabaseSync } from "node:sqlite";
import { assertNow } from "../budget-window.ts";
import { guarded } from "../state-errors.ts";
import type { TombstoneStore } from "../tombstone-store.ts";
import { num } from "./sqlite-rows.ts";

export function sqliteTombstones(db: DatabaseSync): TombstoneStore {
  const upsert = db.prepare(`INSERT INTO tombstones (id, expires_at) VALUES (:id, :expires_at)
    ON CONFLICT (id) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)`);
  const select = db.prepare("SELECT expires_at FROM tombstones WHERE id = :id");
  return {
    addTombstone: (id, expiresAt) =>
      guarded("addTombstone", () => {
        assertNow(expiresAt);
        upsert.run({ id, expires_at: expiresAt });
      }),
    isTombstoned: (id, now) =>
      guarded("isTombstoned", () => {
        assertNow(now);
        const row = select.get({ id });
        return row !== undefined && num(row, "expires_at") > now;
      }),
  };
}
