// Redis specifics the contract suite cannot see: key layout, TTLs as garbage collection, and
// failures surfacing as AEGIS_ERR_STATE.
import { createServer, type AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isAegisError } from "../../src/errors/registry.ts";
import { APPROVAL_RETENTION_MS, TOKEN_RETENTION_MS } from "../../src/state/approval-record.ts";
import { windowBounds } from "../../src/state/budget-window.ts";
import { RedisStateStore } from "../../src/state/redis/redis-state-store.ts";
import { CLOCK_GRACE_MS } from "../../src/state/clock-grace.ts";
import { type RedisServer, startRedisServer } from "../support/redis-server.ts";

let server: RedisServer;
let raw: Redis;
let store: RedisStateStore;

beforeAll(async () => {
  server = await startRedisServer();
  raw = new Redis(server.url);
});
afterAll(async () => {
  raw.disconnect();
  await server.stop();
});
beforeEach(async () => {
  await raw.flushall();
  store = await RedisStateStore.open(server.url);
});
afterEach(() => store.close());

/** PTTL should put the key's death at `expected` (epoch ms), give or take the test's own runtime. */
async function expectExpiryNear(key: string, expected: number): Promise<void> {
  const ttl = await raw.pttl(key);
  expect(ttl, key).toBeGreaterThan(0);
  expect(Math.abs(Date.now() + ttl - expected), key).toBeLessThan(5_000);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("RedisStateStore key layout and expiry", () => {
  it("keeps a budget window under the tenant's hash tag until one minute after the window ends", async () => {
    const now = Date.now();
    const key = { tenant: "acme", agent: "finance-agent", name: "daily-spend" };
    await store.budgets.reserveBudgets([{ key, windowSeconds: 3_600, cost: 42.5, limit: 100 }], now);
    const { start, end } = windowBounds(now, 3_600);
    const counter = `aegis:{acme}:budget:finance-agent:daily-spend:3600:${start}`;
    expect(await raw.keys("aegis:*")).toEqual([counter]);
    expect(await raw.get(counter)).toBe("42.5");
    await expectExpiryNear(counter, end + CLOCK_GRACE_MS);
  });

  it("stores approvals under the tenant's hash tag, expiring after the retention period", async () => {
    const now = Date.now();
    const { record } = await store.approvals.createOrReuseApproval({
      tenant: "acme",
      agent: "finance-agent",
      tool: "stripe-payments",
      action: "create_payment",
      digest: "a".repeat(64),
      reason: "approval_needed",
      rule_id: "r",
      policy_version: "v",
      now,
      expires_in_seconds: 600,
    });
    const expiresAt = now + 600_000;
    expect((await raw.keys("aegis:*")).sort()).toEqual(
      [
        "aegis:tenants",
        "aegis:approval-order",
        `aegis:approval-tenant:${record.id}`,
        `aegis:{acme}:approval:${record.id}`,
        `aegis:{acme}:approval-digest:${"a".repeat(64)}`,
        "aegis:{acme}:approval-seq",
        "aegis:{acme}:approvals",
        "aegis:{acme}:pending:by-expiry",
        "aegis:{acme}:pending:by-seq",
      ].sort(),
    );
    await expectExpiryNear(`aegis:{acme}:approval:${record.id}`, expiresAt + APPROVAL_RETENTION_MS);
    await expectExpiryNear(`aegis:approval-tenant:${record.id}`, expiresAt + APPROVAL_RETENTION_MS);
    await expectExpiryNear(`aegis:{acme}:approval-digest:${"a".repeat(64)}`, expiresAt + CLOCK_GRACE_MS);
  });

  it("numbers a tenant's new approvals after the ones it numbered itself before the global creation counter existed", async () => {
    await raw.set("aegis:{acme}:approval-seq", "100");
    const base = { tenant: "acme", agent: "a", tool: "t", action: "x", reason: "approval_needed", rule_id: "r", policy_version: "v", now: Date.now(), expires_in_seconds: 600 };
    const { record } = await store.approvals.createOrReuseApproval({ ...base, digest: "1" });
    expect(await raw.hget(`aegis:{acme}:approval:${record.id}`, "seq")).toBe("101");
    expect(await raw.get("aegis:approval-order")).toBe("101");
    const other = await store.approvals.createOrReuseApproval({ ...base, tenant: "globex", digest: "2" });
    expect(await raw.hget(`aegis:{globex}:approval:${other.record.id}`, "seq")).toBe("102");
    expect((await store.approvals.listApprovals({}, base.now)).map((r) => r.id)).toEqual([record.id, other.record.id]);
  });

  it("drops index entries of approval records that expired by TTL", async () => {
    const now = Date.now();
    const base = {
      tenant: "acme", agent: "a", tool: "t", action: "x", reason: "approval_needed", rule_id: "r", policy_version: "v",
      now, expires_in_seconds: 600,
    };
    const gone = await store.approvals.createOrReuseApproval({ ...base, digest: "1" });
    const kept = await store.approvals.createOrReuseApproval({ ...base, digest: "2" });
    await raw.del(`aegis:{acme}:approval:${gone.record.id}`);
    const listed = await store.approvals.listApprovals({}, now);
    expect(listed.map((record) => [record.id, record.queue_position])).toEqual([[kept.record.id, 1]]);
    expect(await raw.zrange("aegis:{acme}:approvals", "0", "-1")).toEqual([kept.record.id]);
  });

  it("keeps a token one retention period past its expiry, a tombstone and a claimed attestation id one clock grace past theirs", async () => {
    const expiresAt = Date.now() + 300_000;
    await store.tokens.storeToken({ tokenHash: "f".repeat(64), digest: "d", approvalId: "x", expiresAt });
    await store.tombstones.addTombstone("att/1:x", expiresAt);
    await expectExpiryNear(`aegis:token:${"f".repeat(64)}`, expiresAt + TOKEN_RETENTION_MS);
    await store.attestationIds.claimAttestationId("att/1:x", expiresAt, Date.now());
    await expectExpiryNear("aegis:tombstone:att%2F1%3Ax", expiresAt + CLOCK_GRACE_MS);
    await expectExpiryNear("aegis:attestation-id:att%2F1%3Ax", expiresAt + CLOCK_GRACE_MS);
  });
});

describe("RedisStateStore failures", () => {
  it("fails to open with AEGIS_ERR_STATE when nothing listens, without echoing the password", async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const error = await rejection(RedisStateStore.open(`redis://user:s3cret@127.0.0.1:${port}`));
    expect(isAegisError(error, "AEGIS_ERR_STATE")).toBe(true);
    expect(String(error)).not.toContain("s3cret");
  });

  it("reconnects on its own after the server restarts, with the data intact", async () => {
    const own = await startRedisServer();
    const errors: Error[] = [];
    const resilient = await RedisStateStore.open(own.url, { onConnectionError: (error) => errors.push(error) });
    try {
      await resilient.tombstones.addTombstone("att-1", Date.now() + 60_000);
      await own.restart("SIGKILL");
      expect(await resilient.tombstones.isTombstoned("att-1", Date.now())).toBe(true);
    } finally {
      await resilient.close();
      await own.stop();
    }
  });

  it("rejects operations with AEGIS_ERR_STATE once the server is gone, reporting the connection errors", async () => {
    const own = await startRedisServer();
    const errors: Error[] = [];
    const orphan = await RedisStateStore.open(own.url, { onConnectionError: (error) => errors.push(error) });
    try {
      await own.stop();
      const error = await rejection(orphan.tombstones.isTombstoned("att-1", Date.now()));
      expect(isAegisError(error, "AEGIS_ERR_STATE")).toBe(true);
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await orphan.close().catch(() => undefined);
    }
  });
});
