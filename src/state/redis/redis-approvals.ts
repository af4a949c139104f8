// Approval records in Redis: one hash per record, per-tenant sorted sets scored by creation
// order. Creation order comes from one global counter, so a listing across tenants follows it
// exactly as SQLite's AUTOINCREMENT seq does, whatever the records' created_at say.
import type { Redis } from "ioredis";
import { AegisError } from "../../errors/registry.ts";
import { APPROVAL_RETENTION_MS, approvalNotFound, approvalNotPending, assertNewApproval, assertResolution, effectiveStatus, isoTime, newApprovalId } from "../approval-record.ts";
import type { ApprovalRecord, ApprovalStatus, ApprovalStore } from "../approval-store.ts";
import { guarded } from "../state-errors.ts";
import { CLOCK_GRACE_MS } from "../clock-grace.ts";
import { redisKeys } from "./redis-keys.ts";
import type { RedisScripts } from "./redis-scripts.ts";

interface Listed {
  readonly order: number;
  readonly record: ApprovalRecord;
}

export function redisApprovals(client: Redis, scripts: RedisScripts): ApprovalStore {
  const read = async (tenant: string, id: string, now: number): Promise<ApprovalRecord | undefined> => {
    const reply = (await scripts.aegisReadApproval(
      [redisKeys.approval(tenant, id), redisKeys.pendingBySeq(tenant), redisKeys.pendingByExpiry(tenant)],
      [id, now],
    )) as [string[], number | null] | null;
    if (reply === null) return undefined;
    return approvalFromHash(pairsToObject(reply[0]), now, reply[1]);
  };

  /** Records in creation order, with queue positions computed over the tenant's whole pending queue. */
  const listTenant = async (tenant: string, pendingOnly: boolean, now: number): Promise<Listed[]> => {
    const index = pendingOnly ? redisKeys.pendingBySeq(tenant) : redisKeys.approvals(tenant);
    const ids = await client.zrange(index, "0", "-1");
    if (ids.length === 0) return [];
    const pipeline = client.pipeline();
    for (const id of ids) pipeline.hgetall(redisKeys.approval(tenant, id));
    const replies = (await pipeline.exec()) ?? [];
    const listed: Listed[] = [];
    const gone: string[] = [];
    let position = 0;
    for (const [i, [error, hash]] of replies.entries()) {
      if (error) throw error;
      const fields = hash as Record<string, string>;
      if (Object.keys(fields).length === 0) {
        gone.push(ids[i]!);
        continue;
      }
      const pending = effectiveStatus(fields["status"] as ApprovalStatus, Number(fields["expires_at"]), now) === "pending";
      listed.push({ order: Number(fields["seq"]), record: approvalFromHash(fields, now, pending ? ++position : null) });
    }
    // Records past their retention have expired by TTL; drop their index entries.
    if (gone.length > 0) await client.zrem(index, ...gone);
    return listed;
  };

  return {
    createOrReuseApproval: (approval) =>
      guarded("createOrReuseApproval", async () => {
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
        // Drawn outside the script: the counter is global, the script's keys are the tenant's
        // (one cluster slot). A reused record leaves a gap, which ordering does not mind.
        const order = await client.incr(redisKeys.approvalOrder());
        const reply = await scripts.aegisCreateOrReuseApproval(
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
          [redisKeys.approvalPrefix(tenant), id, now, expiresAt, retainUntil, tenant, order, expiresAt + CLOCK_GRACE_MS, ...Object.entries(fields).flat()],
        );
        const [recordId, created, seq] = reply as [string, number, number?];
        // A tenant numbered before the global counter existed pushes it past its own numbers, so
        // later records of every tenant come after this one.
        if (seq !== undefined && seq > order) await scripts.aegisRaiseCounter([redisKeys.approvalOrder()], [seq]);
        const record = await read(tenant, recordId, now);
        if (record === undefined) throw approvalNotFound(recordId);
        return { record, created: created === 1 };
      }),

    getApproval: (id, now) =>
      guarded("getApproval", async () => {
        const tenant = await client.get(redisKeys.approvalTenant(id));
        return tenant === null ? undefined : read(tenant, id, now);
      }),

    listApprovals: (filter, now) =>
      guarded("listApprovals", async () => {
        const tenants = filter.tenant === undefined ? await client.smembers(redisKeys.tenants()) : [filter.tenant];
        const perTenant = await Promise.all(tenants.map((tenant) => listTenant(tenant, filter.status === "pending", now)));
        return perTenant
          .flat()
          .filter(({ record }) => filter.agent === undefined || record.agent === filter.agent)
          .filter(({ record }) => filter.status === undefined || record.status === filter.status)
          .sort((a, b) => a.order - b.order)
          .map(({ record }) => record);
      }),

    resolveApproval: (id, resolution) =>
      guarded("resolveApproval", async () => {
        assertResolution(resolution);
        const { now } = resolution;
        const tenant = await client.get(redisKeys.approvalTenant(id));
        if (tenant === null) throw approvalNotFound(id);
        const [outcome, status] = (await scripts.aegisResolveApproval(
          [redisKeys.approval(tenant, id), redisKeys.pendingBySeq(tenant), redisKeys.pendingByExpiry(tenant)],
          [id, now, resolution.status, resolution.approver, resolution.comment === undefined ? 0 : 1, resolution.comment ?? ""],
        )) as [string, string?];
        if (outcome === "not_found") throw approvalNotFound(id);
        if (outcome === "not_pending") throw approvalNotPending(id, status as ApprovalStatus);
        const record = await read(tenant, id, now);
        if (record === undefined) throw approvalNotFound(id);
        return record;
      }),
  };
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
