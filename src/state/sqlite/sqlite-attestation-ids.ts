import type { DatabaseSync } from "node:sqlite";
import type { AttestationIdStore } from "../attestation-id-store.ts";
import { assertNow } from "../budget-window.ts";
import { guarded } from "../state-errors.ts";
import type { Sweep } from "./sqlite-sweeper.ts";
import { immediate } from "./sqlite-transaction.ts";

export function sqliteAttestationIds(db: DatabaseSync, sweep: Sweep): AttestationIdStore {
  // Inserts, or takes over an expired claim; an unexpired one stays and changes nothing.
  const claim = db.prepare(`INSERT INTO attestation_ids (id, expires_at) VALUES (:id, :expires_at)
    ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at WHERE attestation_ids.expires_at <= :now`);
  return {
    claimAttestationId: (id, expiresAt, now) =>
      guarded("claimAttestationId", () => {
        assertNow(now);
        assertNow(expiresAt);
        return immediate(db, () => {
          sweep(now);
          return claim.run({ id, expires_at: expiresAt, now }).changes === 1;
        });
      }),
  };
}
