import type { Redis } from "ioredis";
import { assertNow } from "../budget-window.ts";
import { guarded } from "../state-errors.ts";
import type { TombstoneStore } from "../tombstone-store.ts";
import { CLOCK_GRACE_MS } from "../clock-grace.ts";
import { redisKeys } from "./redis-keys.ts";
import type { RedisScripts } from "./redis-scripts.ts";

export function redisTombstones(client: Redis, scripts: RedisScripts): TombstoneStore {
  return {
    addTombstone: (id, expiresAt) =>
      guarded("addTombstone", async () => {
        assertNow(expiresAt);
        await scripts.aegisAddTombstone([redisKeys.tombstone(id)], [expiresAt, expiresAt + CLOCK_GRACE_MS]);
      }),
    isTombstoned: (id, now) =>
      guarded("isTombstoned", async () => {
        assertNow(now);
        const expiresAt = await client.get(redisKeys.tombstone(id));
        return expiresAt !== null && Number(expiresAt) > now;
      }),
  };
}
