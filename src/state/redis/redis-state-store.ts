import { Redis } from "ioredis";
import { AegisError } from "../../errors/registry.ts";
import type { ApprovalStore } from "../approval-store.ts";
import type { AttestationIdStore } from "../attestation-id-store.ts";
import type { BudgetStore } from "../budget-store.ts";
import type { StandingApprovalStore } from "../standing-approval-store.ts";
import { guarded } from "../state-errors.ts";
import type { StateStore } from "../state-store.ts";
import type { TokenStore } from "../token-store.ts";
import type { TombstoneStore } from "../tombstone-store.ts";
import { redisApprovals } from "./redis-approvals.ts";
import { redisAttestationIds } from "./redis-attestation-ids.ts";
import { redisBudgets } from "./redis-budgets.ts";
import { defineScripts } from "./redis-scripts.ts";
import { redisStanding } from "./redis-standing.ts";
import { redisTokens } from "./redis-tokens.ts";
import { redisTombstones } from "./redis-tombstones.ts";

export interface RedisStateStoreOptions {
  /** Connection errors after open (ioredis reconnects on its own); commands meanwhile fail with AEGIS_ERR_STATE. */
  readonly onConnectionError?: (error: Error) => void;
}

/**
 * Durability is the server's: run Redis with `appendonly yes` and `appendfsync always` if an
 * acknowledged approval, token redemption or budget charge must survive a Redis crash.
 */
export class RedisStateStore implements StateStore {
  readonly #client: Redis;
  readonly approvals: ApprovalStore;
  readonly tokens: TokenStore;
  readonly budgets: BudgetStore;
  readonly tombstones: TombstoneStore;
  readonly attestationIds: AttestationIdStore;
  readonly standing: StandingApprovalStore;

  private constructor(client: Redis) {
    this.#client = client;
    const scripts = defineScripts(client);
    this.approvals = redisApprovals(client, scripts);
    this.tokens = redisTokens(scripts);
    this.budgets = redisBudgets(client, scripts);
    this.tombstones = redisTombstones(client, scripts);
    this.attestationIds = redisAttestationIds(scripts);
    this.standing = redisStanding(client);
  }

  /** Connects before returning, so a wrong URL or a down server fails at startup, not on the first check. */
  static async open(url: string, options: RedisStateStoreOptions = {}): Promise<RedisStateStore> {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    // Always listened to: ioredis would otherwise print every reconnect failure itself. Commands
    // issued meanwhile reject, and those rejections are what callers act on.
    client.on("error", (error: Error) => options.onConnectionError?.(error));
    try {
      await client.connect();
    } catch (cause) {
      client.disconnect();
      const shown = url.replace(/\/\/[^@/]*@/, "//***@");
      throw new AegisError("AEGIS_ERR_STATE", `cannot connect to Redis state at ${shown}: ${String(cause)}`, { cause });
    }
    return new RedisStateStore(client);
  }

  health(): Promise<void> {
    return guarded("health", async () => {
      await this.#client.ping();
    });
  }

  close(): Promise<void> {
    return guarded("close", async () => {
      if (this.#client.status === "end") return;
      // QUIT lets queued commands finish; without a live connection there is nothing to wait for.
      if (this.#client.status === "ready") await this.#client.quit();
      else this.#client.disconnect();
    });
  }
}
