import { AegisError } from "../../errors/registry.ts";
import { TOKEN_RETENTION_MS } from "../approval-record.ts";
import { assertNow } from "../budget-window.ts";
import { guarded } from "../state-errors.ts";
import type { TokenRedemption, TokenStore } from "../token-store.ts";
import { redisKeys } from "./redis-keys.ts";
import type { RedisScripts } from "./redis-scripts.ts";

export function redisTokens(scripts: RedisScripts): TokenStore {
  return {
    storeToken: (token) =>
      guarded("storeToken", async () => {
        assertNow(token.expiresAt);
        const stored = await scripts.aegisStoreToken(
          [redisKeys.token(token.tokenHash)],
          [token.digest, token.approvalId, token.expiresAt, token.expiresAt + TOKEN_RETENTION_MS],
        );
        if (stored !== 1) throw new AegisError("AEGIS_ERR_STATE", "an override token with this hash is already stored");
      }),

    redeemToken: (tokenHash, digest, now) =>
      guarded("redeemToken", async () => {
        assertNow(now);
        return (await scripts.aegisRedeemToken([redisKeys.token(tokenHash)], [digest, now])) as TokenRedemption;
      }),
  };
}
