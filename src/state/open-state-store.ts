import { RedisStateStore, type RedisStateStoreOptions } from "./redis/redis-state-store.ts";
import { SqliteStateStore } from "./sqlite/sqlite-state-store.ts";
import type { StateStore } from "./state-store.ts";
import { DEFAULT_STATE_URL, parseStateUrl } from "./state-url.ts";

/**
 * `sqlite:PATH` (creates the folder; the default needs nothing running) or `redis://HOST:PORT[/DB]`
 * (replicas share one Redis). Throws AEGIS_ERR_CONFIG_INVALID for a bad URL and AEGIS_ERR_STATE
 * when the store cannot be opened, or an SQLite file is corrupt, empty or not Aegis state.
 */
export async function openStateStore(url: string = DEFAULT_STATE_URL, options: RedisStateStoreOptions = {}): Promise<StateStore> {
  const location = parseStateUrl(url);
  return location.kind === "sqlite" ? SqliteStateStore.open(location.path, location.synchronous, { initialize: location.initialize }) : RedisStateStore.open(location.url, options);
}
