// Standing approvals in Redis: a hash per approval (its fixed fields as JSON, uses left, revocation)
// and a sorted set per tenant/agent plus one global index, scored by creation time; all under one
// Redis Cluster hash tag ({standing}), so the MULTI that creates one stays in one slot. Taking a use
// and revoking are Lua scripts, atomic against every replica sharing the server.
import type { Redis } from "ioredis";
import { assertNow } from "../budget-window.ts";
import { guarded } from "../state-errors.ts";
import type { NewStandingApproval, ParamBound, StandingApproval, StandingApprovalStore, StandingFilter, StandingUse } from "../standing-approval-store.ts";
import { assertNewStanding, newStandingId, STANDING_RETENTION_MS, standingAlreadyRevoked, standingNotFound, standingRecord } from "../standing-record.ts";

const segment = (value: string): string => encodeURIComponent(value);
const keys = {
  record: (id: string) => `aegis:{standing}:record:${segment(id)}`,
  all: () => "aegis:{standing}:index",
  byAgent: (tenant: string, agent: string) => `aegis:{standing}:by-agent:${segment(tenant)}:${segment(agent)}`,
};

// KEYS: 1 record. ARGV: 1 now. Checked in this order: unknown, revoked, expired, exhausted.
const CONSUME = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 'unknown' end
if redis.call('HGET', KEYS[1], 'revoked_at') ~= '' then return 'revoked' end
if tonumber(redis.call('HGET', KEYS[1], 'expires_at')) <= tonumber(ARGV[1]) then return 'expired' end
if tonumber(redis.call('HGET', KEYS[1], 'uses_left')) <= 0 then return 'exhausted' end
redis.call('HINCRBY', KEYS[1], 'uses_left', -1)
return 'consumed'
`;

// KEYS: 1 record. ARGV: 1 now, 2 by. Returns 'missing', 'revoked' or 'ok'.
const REVOKE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 'missing' end
if redis.call('HGET', KEYS[1], 'revoked_at') ~= '' then return 'revoked' end
redis.call('HSET', KEYS[1], 'revoked_at', ARGV[1], 'revoked_by', ARGV[2])
return 'ok'
`;

interface Spec {
  id: string; tenant: string; agent: string; tool: string; action: string; bounds: ParamBound[];
  uses_total: number; created_at: number; expires_at: number; created_by: string; comment: string | null;
}

export function redisStanding(client: Redis): StandingApprovalStore {
  const read = async (id: string, now: number): Promise<StandingApproval | undefined> => {
    const h = await client.hgetall(keys.record(id));
    if (h.spec === undefined) return undefined;
    const spec = JSON.parse(h.spec) as Spec;
    return standingRecord({
      id: spec.id, tenant: spec.tenant, agent: spec.agent, tool: spec.tool, action: spec.action, bounds: spec.bounds,
      usesTotal: spec.uses_total, usesLeft: Number(h.uses_left), createdAt: spec.created_at, expiresAt: spec.expires_at,
      createdBy: spec.created_by, comment: spec.comment,
      revokedAt: h.revoked_at === undefined || h.revoked_at === "" ? null : Number(h.revoked_at),
      revokedBy: h.revoked_by === undefined || h.revoked_by === "" ? null : h.revoked_by,
    }, now);
  };
  const readAll = async (index: string, now: number): Promise<StandingApproval[]> => {
    const ids = await client.zrevrange(index, 0, -1);
    const found = await Promise.all(ids.map((id) => read(id, now)));
    // Records past their retention are gone; drop their index entries as they are met.
    const gone = ids.filter((_, i) => found[i] === undefined);
    if (gone.length > 0) await client.zrem(index, ...gone);
    return found.filter((s): s is StandingApproval => s !== undefined);
  };

  return {
    createStandingApproval(a: NewStandingApproval) {
      return guarded("createStandingApproval", async () => {
        assertNewStanding(a);
        const id = newStandingId();
        const spec: Spec = { id, tenant: a.tenant, agent: a.agent, tool: a.tool, action: a.action, bounds: [...a.bounds], uses_total: a.uses, created_at: a.now, expires_at: a.expiresAt, created_by: a.createdBy, comment: a.comment ?? null };
        const key = keys.record(id);
        await client.multi()
          .hset(key, { spec: JSON.stringify(spec), uses_left: a.uses, expires_at: a.expiresAt, revoked_at: "", revoked_by: "" })
          .pexpireat(key, a.expiresAt + STANDING_RETENTION_MS)
          .zadd(keys.all(), a.now, id)
          .zadd(keys.byAgent(a.tenant, a.agent), a.now, id)
          .exec();
        return (await read(id, a.now)) as StandingApproval;
      });
    },
    getStandingApproval(id, now) {
      return guarded("getStandingApproval", () => read(id, now));
    },
    listStandingApprovals(filter: StandingFilter, now) {
      return guarded("listStandingApprovals", async () => {
        const list = filter.tenant !== undefined && filter.agent !== undefined ? await readAll(keys.byAgent(filter.tenant, filter.agent), now) : await readAll(keys.all(), now);
        return list.filter((s) => (filter.tenant === undefined || s.tenant === filter.tenant) && (filter.agent === undefined || s.agent === filter.agent) && (filter.status === undefined || s.status === filter.status));
      });
    },
    revokeStandingApproval(id, by, now) {
      return guarded("revokeStandingApproval", async () => {
        const result = (await client.eval(REVOKE, 1, keys.record(id), now, by)) as string;
        if (result === "missing") throw standingNotFound(id);
        if (result === "revoked") throw standingAlreadyRevoked(id);
        return (await read(id, now)) as StandingApproval;
      });
    },
    consumeStandingApproval(id, now): Promise<StandingUse> {
      return guarded("consumeStandingApproval", async () => {
        assertNow(now);
        return (await client.eval(CONSUME, 1, keys.record(id), now)) as StandingUse;
      });
    },
  };
}
