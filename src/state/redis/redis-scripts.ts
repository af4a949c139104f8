import type { Redis } from "ioredis";

// Every read-check-write runs as one Lua script, which Redis executes atomically: no other
// client's command interleaves, so replicas sharing one Redis cannot double-spend a token or
// overshoot a budget. ioredis sends scripts by SHA (EVALSHA) and falls back to EVAL once.
// Times are epoch ms passed by the caller; ARGV values arrive as strings.

const CREATE_OR_REUSE_APPROVAL = `
-- KEYS: 1 digest, 2 pending-by-seq, 3 pending-by-expiry, 4 all approvals, 5 seq, 6 new record,
--       7 id->tenant, 8 tenants
-- ARGV: 1 record key prefix, 2 new id, 3 now, 4 expires_at, 5 retain until, 6 tenant,
--       7 creation order drawn from the global counter, 8 digest key expire-at, 9.. field/value pairs
local now = tonumber(ARGV[3])
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
for _, id in ipairs(expired) do redis.call('ZREM', KEYS[2], id) end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
-- the oldest index entries whose records reached their retention end
for _, id in ipairs(redis.call('ZRANGE', KEYS[4], 0, 9)) do
  if redis.call('EXISTS', ARGV[1] .. id) == 0 then redis.call('ZREM', KEYS[4], id) end
end
local existing = redis.call('GET', KEYS[1])
if existing then
  local record = ARGV[1] .. existing
  local status = redis.call('HGET', record, 'status')
  local expires = tonumber(redis.call('HGET', record, 'expires_at'))
  if status == 'pending' and expires and expires > now then return {existing, 0} end
end
-- Never below the tenant's last one, so records written before the global counter existed
-- (each tenant numbered its own) still come first in their tenant.
local seq = math.max(tonumber(ARGV[7]), tonumber(redis.call('GET', KEYS[5]) or '0') + 1)
redis.call('SET', KEYS[5], seq)
local fields = {'seq', seq}
for i = 9, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[6], unpack(fields))
redis.call('PEXPIREAT', KEYS[6], ARGV[5])
redis.call('SET', KEYS[1], ARGV[2], 'PXAT', ARGV[8])
redis.call('ZADD', KEYS[2], seq, ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[2])
redis.call('ZADD', KEYS[4], seq, ARGV[2])
redis.call('SET', KEYS[7], ARGV[6], 'PXAT', ARGV[5])
redis.call('SADD', KEYS[8], ARGV[6])
return {ARGV[2], 1, seq}
`;

const RAISE_COUNTER = `
-- KEYS: 1 counter; ARGV: 1 floor. Lifts the counter to the floor, never lowers it.
if tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return 1
`;

const READ_APPROVAL = `
-- KEYS: 1 record, 2 pending-by-seq, 3 pending-by-expiry; ARGV: 1 id, 2 now
-- returns {flat record hash, queue position or nil}
local record = redis.call('HGETALL', KEYS[1])
if #record == 0 then return false end
local now = tonumber(ARGV[2])
local position = false
local seq = redis.call('ZSCORE', KEYS[2], ARGV[1])
local expires = redis.call('ZSCORE', KEYS[3], ARGV[1])
if seq and expires and tonumber(expires) > now then
  position = 0
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', seq)) do
    local e = redis.call('ZSCORE', KEYS[3], id)
    if e and tonumber(e) > now then position = position + 1 end
  end
end
return {record, position}
`;

const RESOLVE_APPROVAL = `
-- KEYS: 1 record, 2 pending-by-seq, 3 pending-by-expiry
-- ARGV: 1 id, 2 now, 3 status, 4 approver, 5 has comment (1|0), 6 comment
if redis.call('EXISTS', KEYS[1]) == 0 then return {'not_found'} end
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'pending' then return {'not_pending', status} end
if tonumber(redis.call('HGET', KEYS[1], 'expires_at')) <= tonumber(ARGV[2]) then return {'not_pending', 'expired'} end
redis.call('HSET', KEYS[1], 'status', ARGV[3], 'approver', ARGV[4], 'resolved_at', ARGV[2])
if ARGV[5] == '1' then redis.call('HSET', KEYS[1], 'comment', ARGV[6]) end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return {'ok'}
`;

const STORE_TOKEN = `
-- KEYS: 1 token; ARGV: 1 digest, 2 approval id, 3 expires_at, 4 retain until
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'digest', ARGV[1], 'approval_id', ARGV[2], 'expires_at', ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
return 1
`;

const REDEEM_TOKEN = `
-- KEYS: 1 token; ARGV: 1 digest, 2 now
if redis.call('EXISTS', KEYS[1]) == 0 then return 'unknown' end
if redis.call('HEXISTS', KEYS[1], 'used_at') == 1 then return 'used' end
if tonumber(redis.call('HGET', KEYS[1], 'expires_at')) <= tonumber(ARGV[2]) then return 'expired' end
if redis.call('HGET', KEYS[1], 'digest') ~= ARGV[1] then return 'mismatch' end
redis.call('HSET', KEYS[1], 'used_at', ARGV[2])
return 'redeemed'
`;

// Same fit rule as budget-fit.ts: spent + cost <= limit + max(1, |limit|) * tolerance.
const RESERVE_BUDGETS = `
-- KEYS: the window counters; ARGV: 1 tolerance, then per key: cost, limit, expire-at
-- returns {0, index of the first charge that does not fit} or {1, {spent after each charge}}
local tolerance = tonumber(ARGV[1])
local spent = {}
for i, key in ipairs(KEYS) do
  if spent[key] == nil then spent[key] = tonumber(redis.call('GET', key) or '0') end
  local cost = tonumber(ARGV[3 * i - 1])
  local limit = tonumber(ARGV[3 * i])
  if spent[key] + cost > limit + math.max(1, math.abs(limit)) * tolerance then return {0, i - 1} end
  spent[key] = spent[key] + cost
end
-- Stored as the IEEE double Lua summed, in 17 significant digits (enough to read back the same
-- double): INCRBYFLOAT sums in long double and would drift from SQLite's REAL (0.1 + 0.2).
local after = {}
for i, key in ipairs(KEYS) do
  after[i] = string.format('%.17g', spent[key])
  redis.call('SET', key, after[i], 'PXAT', ARGV[3 * i + 1])
end
return {1, after}
`;

const RELEASE_BUDGETS = `
-- KEYS: the window counters; ARGV: the cost to give back to each. Never below 0; a counter that
-- is gone (its window ended) stays gone. Written as RESERVE_BUDGETS writes (tostring keeps only
-- 14 digits).
for i, key in ipairs(KEYS) do
  local spent = redis.call('GET', key)
  if spent then
    local after = tonumber(spent) - tonumber(ARGV[i])
    if after < 0 then after = 0 end
    redis.call('SET', key, string.format('%.17g', after), 'KEEPTTL')
  end
end
return 1
`;

const ADD_TOMBSTONE = `
-- KEYS: 1 tombstone; ARGV: 1 expires_at, 2 key expire-at. A later expiry wins.
local current = tonumber(redis.call('GET', KEYS[1]))
if current and current >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
return 1
`;

const CLAIM_ATTESTATION_ID = `
-- KEYS: 1 claim; ARGV: 1 expires_at, 2 now, 3 key expire-at. The stored expiry decides (the
-- caller's clock, as for tombstones); Redis' own TTL only frees the memory afterwards.
local current = tonumber(redis.call('GET', KEYS[1]))
if current and current > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[3])
return 1
`;

type Arg = string | number;
type ScriptCall = (...args: Arg[]) => Promise<unknown>;

const DEFINITIONS = {
  aegisCreateOrReuseApproval: { numberOfKeys: 8, lua: CREATE_OR_REUSE_APPROVAL },
  aegisRaiseCounter: { numberOfKeys: 1, lua: RAISE_COUNTER },
  aegisReadApproval: { numberOfKeys: 3, lua: READ_APPROVAL },
  aegisResolveApproval: { numberOfKeys: 3, lua: RESOLVE_APPROVAL },
  aegisStoreToken: { numberOfKeys: 1, lua: STORE_TOKEN },
  aegisRedeemToken: { numberOfKeys: 1, lua: REDEEM_TOKEN },
  // The number of counters varies per call: the caller passes it first.
  aegisReserveBudgets: { lua: RESERVE_BUDGETS },
  aegisReleaseBudgets: { lua: RELEASE_BUDGETS },
  aegisAddTombstone: { numberOfKeys: 1, lua: ADD_TOMBSTONE },
  aegisClaimAttestationId: { numberOfKeys: 1, lua: CLAIM_ATTESTATION_ID },
} as const;

export type RedisScripts = {
  readonly [name in keyof typeof DEFINITIONS]: (keys: readonly string[], args: readonly Arg[]) => Promise<unknown>;
};

export function defineScripts(client: Redis): RedisScripts {
  const entries = Object.entries(DEFINITIONS).map(([name, definition]) => {
    client.defineCommand(name, definition);
    // defineCommand adds a method ioredis' types cannot know about.
    const call = (client as unknown as Record<string, ScriptCall>)[name]!.bind(client);
    const variadic = !("numberOfKeys" in definition);
    const invoke = (keys: readonly string[], args: readonly Arg[]): Promise<unknown> =>
      variadic ? call(keys.length, ...keys, ...args) : call(...keys, ...args);
    return [name, invoke] as const;
  });
  return Object.fromEntries(entries) as unknown as RedisScripts;
}
