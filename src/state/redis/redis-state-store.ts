import { Redis } from "ioredis";
import {
  APPROVAL_RETENTION_MS,
  TOKEN_RETENTION_MS,
  approvalNotFound,
  approvalNotPending,
  assertNewApproval,
  assertResolution,
  effectiveStatus,
  isoTime,
  newApprovalId,
} from "../approval-record.ts";
import { BUDGET_TOLERANCE, remainingBudget } from "../budget-fit.ts";
import { assertBudgetCharge, assertBudgetWindow, assertNow, windowBounds } from "../budget-window.ts";
import { AegisError } from "../../errors/registry.ts";
import { guarded } from "../state-errors.ts";
import type {
  ApprovalFilter,
  ApprovalRecord,
  ApprovalResolution,
  ApprovalStatus,
  BudgetCharge,
  BudgetReservation,
  BudgetWindow,
  NewApproval,
  NewOverrideToken,
  StateStore,
  TokenRedemption,
} from "../state-store.ts";
import { redisKeys } from "./redis-keys.ts";
import { defineScripts, type RedisScripts } from "./redis-scripts.ts";
import { redisStanding } from "./redis-standing.ts";
import type { StandingApprovalStore } from "../standing-approval-store.ts";

/** A budget counter outlives its window by this much, so a client clock slightly behind Redis' still finds it. */
const BUDGET_EXPIRY_GRACE_MS = 60_000;

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
  readonly #scripts: RedisScripts;

  readonly #standing: StandingApprovalStore;

  private constructor(client: Redis) {
    this.#client = client;
    this.#scripts = defineScripts(client);
    this.#standing = redisStanding(client);
  }

  get standing(): StandingApprovalStore {
    return this.#standing;
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

  createOrReuseApproval(approval: NewApproval): Promise<{ record: ApprovalRecord; created: boolean }> {
    return guarded("createOrReuseApproval", async () => {
      assertNewApproval(approval);
      const { tenant, now } = approval;
      const id = newApprovalId();
      const expiresAt = now + Math.round(approval.expires_in_seconds * 1000);
      const retainUntil = expiresAt + APPROVAL_RETENTION_MS;
      const fields: Record<string, string | number> = {
        id,
        tenant,
        agent: approval.agent,
        tool: approval.tool,
        action: approval.action,
        digest: approval.digest,
        reason: approval.reason,
        rule_id: approval.rule_id,
        policy_version: approval.policy_version,
        created_at: now,
        expires_at: expiresAt,
        status: "pending",
        ...(approval.params_preview === undefined ? {} : { params_preview: JSON.stringify(approval.params_preview) }),
      };
      const reply = await this.#scripts.aegisCreateOrReuseApproval(
        [
          redisKeys.approvalByDigest(tenant, approval.digest),
          redisKeys.pendingBySeq(tenant),
          redisKeys.pendingByExpiry(tenant),
          redisKeys.approvals(tenant),
          redisKeys.approvalSeq(tenant),
          redisKeys.approval(tenant, id),
          redisKeys.approvalTenant(id),
          redisKeys.tenants(),
        ],
        [redisKeys.approvalPrefix(tenant), id, now, expiresAt, retainUntil, tenant, ...Object.entries(fields).flat()],
      );
      const [recordId, created] = reply as [string, number];
      const record = await this.#read(tenant, recordId, now);
      if (record === undefined) throw approvalNotFound(recordId);
      return { record, created: created === 1 };
    });
  }

  getApproval(id: string, now: number): Promise<ApprovalRecord | undefined> {
    return guarded("getApproval", async () => {
      const tenant = await this.#client.get(redisKeys.approvalTenant(id));
      return tenant === null ? undefined : this.#read(tenant, id, now);
    });
  }

  listApprovals(filter: ApprovalFilter, now: number): Promise<ApprovalRecord[]> {
    return guarded("listApprovals", async () => {
      const tenants = filter.tenant === undefined ? (await this.#client.smembers(redisKeys.tenants())).sort() : [filter.tenant];
      const perTenant = await Promise.all(tenants.map((tenant) => this.#listTenant(tenant, filter.status === "pending", now)));
      return perTenant
        .flat()
        .filter((record) => filter.agent === undefined || record.agent === filter.agent)
        .filter((record) => filter.status === undefined || record.status === filter.status)
        .sort((a, b) => a.created_at.localeCompare(b.created_at));
    });
  }

  resolveApproval(id: string, resolution: ApprovalResolution): Promise<ApprovalRecord> {
    return guarded("resolveApproval", async () => {
      assertResolution(resolution);
      const { now } = resolution;
      const tenant = await this.#client.get(redisKeys.approvalTenant(id));
      if (tenant === null) throw approvalNotFound(id);
      const [outcome, status] = (await this.#scripts.aegisResolveApproval(
        [redisKeys.approval(tenant, id), redisKeys.pendingBySeq(tenant), redisKeys.pendingByExpiry(tenant)],
        [id, now, resolution.status, resolution.approver, resolution.comment === undefined ? 0 : 1, resolution.comment ?? ""],
      )) as [string, string?];
      if (outcome === "not_found") throw approvalNotFound(id);
      if (outcome === "not_pending") throw approvalNotPending(id, status as ApprovalStatus);
      const record = await this.#read(tenant, id, now);
      if (record === undefined) throw approvalNotFound(id);
      return record;
    });
  }

  storeToken(token: NewOverrideToken): Promise<void> {
    return guarded("storeToken", async () => {
      assertNow(token.expiresAt);
      const stored = await this.#scripts.aegisStoreToken(
        [redisKeys.token(token.tokenHash)],
        [token.digest, token.approvalId, token.expiresAt, token.expiresAt + TOKEN_RETENTION_MS],
      );
      if (stored !== 1) throw new AegisError("AEGIS_ERR_STATE", "an override token with this hash is already stored");
    });
  }

  redeemToken(tokenHash: string, digest: string, now: number): Promise<TokenRedemption> {
    return guarded("redeemToken", async () => {
      assertNow(now);
      return (await this.#scripts.aegisRedeemToken([redisKeys.token(tokenHash)], [digest, now])) as TokenRedemption;
    });
  }

  readBudgets(windows: readonly BudgetWindow[], now: number): Promise<number[]> {
    return guarded("readBudgets", async () => {
      assertNow(now);
      windows.forEach(assertBudgetWindow);
      if (windows.length === 0) return [];
      const values = await this.#client.mget(windows.map((window) => budgetKey(window, now)));
      return values.map((value) => (value === null ? 0 : Number(value)));
    });
  }

  reserveBudgets(charges: readonly BudgetCharge[], now: number): Promise<BudgetReservation> {
    return guarded("reserveBudgets", async (): Promise<BudgetReservation> => {
      assertNow(now);
      charges.forEach(assertBudgetCharge);
      if (charges.length === 0) return { ok: true, remaining: [] };
      const keys = charges.map((charge) => budgetKey(charge, now));
      const args = charges.flatMap((charge) => [
        String(charge.cost),
        String(charge.limit),
        windowBounds(now, charge.windowSeconds).end + BUDGET_EXPIRY_GRACE_MS,
      ]);
      const [ok, result] = (await this.#scripts.aegisReserveBudgets(keys, [BUDGET_TOLERANCE, ...args])) as
        | [0, number]
        | [1, string[]];
      if (ok === 0) return { ok: false, exceeded: result };
      // A counter charged twice reports what is left after both charges.
      const spentAfter = new Map(keys.map((key, index) => [key, Number(result[index])]));
      return { ok: true, remaining: charges.map((charge, index) => remainingBudget(charge.limit, spentAfter.get(keys[index]!)!)) };
    });
  }

  releaseBudgets(charges: readonly BudgetCharge[], now: number): Promise<void> {
    return guarded("releaseBudgets", async () => {
      assertNow(now);
      charges.forEach(assertBudgetCharge);
      if (charges.length === 0) return;
      await this.#scripts.aegisReleaseBudgets(charges.map((charge) => budgetKey(charge, now)), charges.map((charge) => String(charge.cost)));
    });
  }

  addTombstone(id: string, expiresAt: number): Promise<void> {
    return guarded("addTombstone", async () => {
      assertNow(expiresAt);
      await this.#scripts.aegisAddTombstone([redisKeys.tombstone(id)], [expiresAt]);
    });
  }

  isTombstoned(id: string, now: number): Promise<boolean> {
    return guarded("isTombstoned", async () => {
      const expiresAt = await this.#client.get(redisKeys.tombstone(id));
      return expiresAt !== null && Number(expiresAt) > now;
    });
  }

  claimAttestationId(id: string, expiresAt: number, now: number): Promise<boolean> {
    return guarded("claimAttestationId", async () => {
      assertNow(now);
      assertNow(expiresAt);
      return (await this.#scripts.aegisClaimAttestationId([redisKeys.attestationId(id)], [expiresAt, now])) === 1;
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

  async #read(tenant: string, id: string, now: number): Promise<ApprovalRecord | undefined> {
    const reply = (await this.#scripts.aegisReadApproval(
      [redisKeys.approval(tenant, id), redisKeys.pendingBySeq(tenant), redisKeys.pendingByExpiry(tenant)],
      [id, now],
    )) as [string[], number | null] | null;
    if (reply === null) return undefined;
    return approvalFromHash(pairsToObject(reply[0]), now, reply[1]);
  }

  /** Records in creation order, with queue positions computed over the tenant's whole pending queue. */
  async #listTenant(tenant: string, pendingOnly: boolean, now: number): Promise<ApprovalRecord[]> {
    const index = pendingOnly ? redisKeys.pendingBySeq(tenant) : redisKeys.approvals(tenant);
    const ids = await this.#client.zrange(index, "0", "-1");
    if (ids.length === 0) return [];
    const pipeline = this.#client.pipeline();
    for (const id of ids) pipeline.hgetall(redisKeys.approval(tenant, id));
    const replies = (await pipeline.exec()) ?? [];
    const records: ApprovalRecord[] = [];
    const gone: string[] = [];
    let position = 0;
    for (const [index_, [error, hash]] of replies.entries()) {
      if (error) throw error;
      const fields = hash as Record<string, string>;
      if (Object.keys(fields).length === 0) {
        gone.push(ids[index_]!);
        continue;
      }
      const expiresAt = Number(fields["expires_at"]);
      const pending = effectiveStatus(fields["status"] as ApprovalStatus, expiresAt, now) === "pending";
      records.push(approvalFromHash(fields, now, pending ? ++position : null));
    }
    // Records past their retention have expired by TTL; drop their index entries.
    if (gone.length > 0) await this.#client.zrem(index, ...gone);
    return records;
  }
}

function budgetKey(window: BudgetWindow, now: number): string {
  const { tenant, agent, name } = window.key;
  return redisKeys.budget(tenant, agent, name, window.windowSeconds, windowBounds(now, window.windowSeconds).start);
}

function pairsToObject(pairs: readonly string[]): Record<string, string> {
  const object: Record<string, string> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) object[pairs[i]!] = pairs[i + 1]!;
  return object;
}

function approvalFromHash(fields: Record<string, string>, now: number, queuePosition: number | null): ApprovalRecord {
  const field = (name: string): string => {
    const value = fields[name];
    if (value === undefined) throw new AegisError("AEGIS_ERR_STATE", `Redis approval record lacks ${name}`);
    return value;
  };
  const expiresAt = Number(field("expires_at"));
  const resolvedAt = fields["resolved_at"];
  const preview = fields["params_preview"];
  return {
    id: field("id"),
    tenant: field("tenant"),
    agent: field("agent"),
    tool: field("tool"),
    action: field("action"),
    digest: field("digest"),
    reason: field("reason"),
    rule_id: field("rule_id"),
    policy_version: field("policy_version"),
    created_at: isoTime(Number(field("created_at"))),
    expires_at: isoTime(expiresAt),
    status: effectiveStatus(field("status") as ApprovalStatus, expiresAt, now),
    queue_position: queuePosition,
    approver: fields["approver"] ?? null,
    comment: fields["comment"] ?? null,
    resolved_at: resolvedAt === undefined ? null : isoTime(Number(resolvedAt)),
    params_preview: preview === undefined ? null : (JSON.parse(preview) as Record<string, unknown>),
  };
}
