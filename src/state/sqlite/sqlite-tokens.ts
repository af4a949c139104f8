import type { DatabaseSync } from "node:sqlite";
import { AegisError } from "../../errors/registry.ts";
import { assertNow } from "../budget-window.ts";
import { guarded } from "../state-errors.ts";
import type { TokenRedemption, TokenStore } from "../token-store.ts";
import { num, optionalNum, text } from "./sqlite-rows.ts";
import type { Sweep } from "./sqlite-sweeper.ts";
import { immediate } from "./sqlite-transaction.ts";

export function sqliteTokens(db: DatabaseSync, sweep: Sweep): TokenStore {
  const insert = db.prepare(`INSERT INTO override_tokens (token_hash, digest, approval_id, expires_at)
    VALUES (:token_hash, :digest, :approval_id, :expires_at) ON CONFLICT (token_hash) DO NOTHING`);
  const select = db.prepare("SELECT digest, expires_at, used_at FROM override_tokens WHERE token_hash = :token_hash");
  const use = db.prepare("UPDATE override_tokens SET used_at = :used_at WHERE token_hash = :token_hash");

  return {
    storeToken: (token) =>
      guarded("storeToken", () => {
        assertNow(token.expiresAt);
        const { changes } = insert.run({ token_hash: token.tokenHash, digest: token.digest, approval_id: token.approvalId, expires_at: token.expiresAt });
        if (changes === 0) throw new AegisError("AEGIS_ERR_STATE", "an override token with this hash is already stored");
      }),

    redeemToken: (tokenHash, digest, now) =>
      guarded("redeemToken", () => {
        assertNow(now);
        return immediate(db, (): TokenRedemption => {
          sweep(now);
          const row = select.get({ token_hash: tokenHash });
          if (row === undefined) return "unknown";
          if (optionalNum(row, "used_at") !== null) return "used";
          if (num(row, "expires_at") <= now) return "expired";
          if (text(row, "digest") !== digest) return "mismatch";
          use.run({ token_hash: tokenHash, used_at: now });
          return "redeemed";
        });
      }),
  };
}
