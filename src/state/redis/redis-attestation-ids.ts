import type { AttestationIdStore } from "../attestation-id-store.ts";
import { assertNow } from "../budget-window.ts";
import { guarded } from "../state-errors.ts";
import { CLOCK_GRACE_MS } from "../clock-grace.ts";
import { redisKeys } from "./redis-keys.ts";
import type { RedisScripts } from "./redis-scripts.ts";

export function redisAttestationIds(scripts: RedisScripts): AttestationIdStore {
  return {
    claimAttestationId: (id, expiresAt, now) =>
      guarded("claimAttestationId", async () => {
        assertNow(now);
        assertNow(expiresAt);
        const claimed = await scripts.aegisClaimAttestationId([redisKeys.attestationId(id)], [expiresAt, now, expiresAt + CLOCK_GRACE_MS]);
        return claimed === 1;
      }),
  };
}
