// One behaviour suite, run against every StateStore backend.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ErrorCode, isAegisError } from "../../src/errors/registry.ts";
import { openStateStore } from "../../src/state/open-state-store.ts";
import type { ApprovalFilter, NewApproval } from "../../src/state/approval-store.ts";
import type { BudgetCharge, BudgetKey } from "../../src/state/budget-store.ts";
import type { StateStore } from "../../src/state/state-store.ts";
import type { NewStandingApproval } from "../../src/state/standing-approval-store.ts";
import { backends } from "./backends.ts";

const T0 = Date.parse("2030-01-15T10:00:00.000Z");
const HOUR = 3_600_000;
const DAY = 86_400;

function approval(overrides: Partial<NewApproval> = {}): NewApproval {
  return {
    tenant: "acme",
    agent: "finance-agent",
    tool: "stripe-payments",
    action: "create_payment",
    digest: "a".repeat(64),
    reason: "approval_needed",
    rule_id: "acme/finance-agent/allowed_tools/stripe-payments/conditions/approval_threshold",
    policy_version: "rev-1",
    now: T0,
    expires_in_seconds: 3_600,
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

function expectAegisError(error: unknown, code: ErrorCode): void {
  expect(isAegisError(error), String(error)).toBe(true);
  expect((error as { code: string }).code).toBe(code);
}

const spend: BudgetKey = { tenant: "acme", agent: "finance-agent", name: "daily-spend" };
const charge = (cost: number, limit: number, overrides: Partial<BudgetCharge> = {}): BudgetCharge => ({
  key: spend,
  windowSeconds: DAY,
  cost,
  limit,
  ...overrides,
});

describe.each(backends.map((make) => make()))("$name StateStore", (backend) => {
  let store: StateStore;

  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    store = await openStateStore(await backend.freshUrl());
  });
  afterEach(() => store.close());

  describe("approvals", () => {
    it("creates a pending record with every field", async () => {
      const preview = { amount: 6000, card_number: "[REDACTED]" };
      const { record, created } = await store.approvals.createOrReuseApproval(approval({ params_preview: preview }));
      expect(created).toBe(true);
      expect(record.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(record).toEqual({
        id: record.id,
        tenant: "acme",
        agent: "finance-agent",
        tool: "stripe-payments",
        action: "create_payment",
        digest: "a".repeat(64),
        reason: "approval_needed",
        rule_id: "acme/finance-agent/allowed_tools/stripe-payments/conditions/approval_threshold",
        policy_version: "rev-1",
        created_at: "2030-01-15T10:00:00.000Z",
        expires_at: "2030-01-15T11:00:00.000Z",
        status: "pending",
        queue_position: 1,
        approver: null,
        comment: null,
        resolved_at: null,
        params_preview: preview,
      });
      expect(await store.approvals.getApproval(record.id, T0 + 1)).toEqual(record);
    });

    it("gives each approval its own random id and no preview when none was given", async () => {
      const first = await store.approvals.createOrReuseApproval(approval({ digest: "1".repeat(64) }));
      const second = await store.approvals.createOrReuseApproval(approval({ digest: "2".repeat(64) }));
      expect(first.record.id).not.toBe(second.record.id);
      expect(first.record.params_preview).toBeNull();
    });

    it("reuses the pending, unexpired record of an identical call", async () => {
      const first = await store.approvals.createOrReuseApproval(approval());
      const again = await store.approvals.createOrReuseApproval(approval({ now: T0 + 10 * 60_000 }));
      expect(again.created).toBe(false);
      expect(again.record.id).toBe(first.record.id);
      expect(again.record.created_at).toBe(first.record.created_at);
      expect(await store.approvals.listApprovals({}, T0 + 10 * 60_000)).toHaveLength(1);
    });

    it("reuses only within the tenant", async () => {
      const acme = await store.approvals.createOrReuseApproval(approval());
      const globex = await store.approvals.createOrReuseApproval(approval({ tenant: "globex" }));
      expect(globex.created).toBe(true);
      expect(globex.record.id).not.toBe(acme.record.id);
      expect(globex.record.queue_position).toBe(1);
    });

    it("creates a new record once the identical one has expired", async () => {
      const first = await store.approvals.createOrReuseApproval(approval());
      const later = T0 + HOUR;
      const second = await store.approvals.createOrReuseApproval(approval({ now: later }));
      expect(second.created).toBe(true);
      expect(second.record.id).not.toBe(first.record.id);
      const old = await store.approvals.getApproval(first.record.id, later);
      expect(old?.status).toBe("expired");
      expect(old?.queue_position).toBeNull();
      expect(second.record.queue_position).toBe(1);
    });

    it("creates a new record once the identical one was resolved", async () => {
      const first = await store.approvals.createOrReuseApproval(approval());
      await store.approvals.resolveApproval(first.record.id, { status: "denied", approver: "alice", now: T0 + 1 });
      const second = await store.approvals.createOrReuseApproval(approval({ now: T0 + 2 }));
      expect(second.created).toBe(true);
      expect(second.record.id).not.toBe(first.record.id);
    });

    it("creates exactly one record when identical calls arrive together", async () => {
      const results = await Promise.all(Array.from({ length: 10 }, () => store.approvals.createOrReuseApproval(approval())));
      expect(results.filter((result) => result.created)).toHaveLength(1);
      expect(new Set(results.map((result) => result.record.id)).size).toBe(1);
    });

    it("reads a pending record as expired from its expires_at on", async () => {
      const { record } = await store.approvals.createOrReuseApproval(approval());
      expect((await store.approvals.getApproval(record.id, T0 + HOUR - 1))?.status).toBe("pending");
      expect((await store.approvals.getApproval(record.id, T0 + HOUR))?.status).toBe("expired");
    });

    it("numbers the tenant's pending queue oldest first and closes gaps on resolution and expiry", async () => {
      const short = await store.approvals.createOrReuseApproval(approval({ digest: "1".repeat(64), expires_in_seconds: 60 }));
      const second = await store.approvals.createOrReuseApproval(approval({ digest: "2".repeat(64), now: T0 + 1 }));
      const third = await store.approvals.createOrReuseApproval(approval({ digest: "3".repeat(64), now: T0 + 2 }));
      const fourth = await store.approvals.createOrReuseApproval(approval({ digest: "4".repeat(64), now: T0 + 3 }));
      expect([short, second, third, fourth].map((r) => r.record.queue_position)).toEqual([1, 2, 3, 4]);

      await store.approvals.resolveApproval(second.record.id, { status: "approved", approver: "alice", now: T0 + 10 });
      const afterExpiry = T0 + 60_000;
      expect((await store.approvals.getApproval(short.record.id, afterExpiry))?.queue_position).toBeNull();
      expect((await store.approvals.getApproval(second.record.id, afterExpiry))?.queue_position).toBeNull();
      expect((await store.approvals.getApproval(third.record.id, afterExpiry))?.queue_position).toBe(1);
      expect((await store.approvals.getApproval(fourth.record.id, afterExpiry))?.queue_position).toBe(2);
      const pending = await store.approvals.listApprovals({ status: "pending" }, afterExpiry);
      expect(pending.map((r) => [r.id, r.queue_position])).toEqual([
        [third.record.id, 1],
        [fourth.record.id, 2],
      ]);
    });

    it("answers undefined for an unknown id", async () => {
      expect(await store.approvals.getApproval("no-such-id", T0)).toBeUndefined();
    });

    it("lists oldest first, filtered by status, tenant and agent", async () => {
      const a = await store.approvals.createOrReuseApproval(approval({ digest: "1".repeat(64) }));
      const b = await store.approvals.createOrReuseApproval(approval({ digest: "2".repeat(64), now: T0 + 1, agent: "ops-agent" }));
      const c = await store.approvals.createOrReuseApproval(approval({ digest: "3".repeat(64), now: T0 + 2, tenant: "globex" }));
      const d = await store.approvals.createOrReuseApproval(approval({ digest: "4".repeat(64), now: T0 + 3, expires_in_seconds: 1 }));
      const e = await store.approvals.createOrReuseApproval(approval({ digest: "5".repeat(64), now: T0 + 4 }));
      await store.approvals.resolveApproval(a.record.id, { status: "approved", approver: "alice", now: T0 + 5 });
      await store.approvals.resolveApproval(e.record.id, { status: "denied", approver: "bob", now: T0 + 6 });
      const now = T0 + 5_000;
      const ids = async (filter: ApprovalFilter) =>
        (await store.approvals.listApprovals(filter, now)).map((record) => record.id);

      expect(await ids({})).toEqual([a, b, c, d, e].map((r) => r.record.id));
      expect(await ids({ status: "pending" })).toEqual([b.record.id, c.record.id]);
      expect(await ids({ status: "approved" })).toEqual([a.record.id]);
      expect(await ids({ status: "denied" })).toEqual([e.record.id]);
      expect(await ids({ status: "expired" })).toEqual([d.record.id]);
      expect(await ids({ tenant: "globex" })).toEqual([c.record.id]);
      expect(await ids({ tenant: "acme", agent: "ops-agent" })).toEqual([b.record.id]);
      expect(await ids({ tenant: "acme", status: "pending" })).toEqual([b.record.id]);
      expect(await ids({ tenant: "nobody" })).toEqual([]);
    });

    it("resolves a pending approval once, recording who, when and why", async () => {
      const { record } = await store.approvals.createOrReuseApproval(approval());
      const resolved = await store.approvals.resolveApproval(record.id, {
        status: "approved",
        approver: "alice@acme.example",
        comment: "known vendor",
        now: T0 + 60_000,
      });
      expect(resolved).toEqual({
        ...record,
        status: "approved",
        queue_position: null,
        approver: "alice@acme.example",
        comment: "known vendor",
        resolved_at: "2030-01-15T10:01:00.000Z",
      });
      expect(await store.approvals.getApproval(record.id, T0 + 2 * HOUR)).toEqual(resolved);

      const second = await rejection(store.approvals.resolveApproval(record.id, { status: "denied", approver: "bob", now: T0 + 120_000 }));
      expectAegisError(second, "AEGIS_ERR_APPROVAL_STATE");
      expect((second as { details: unknown }).details).toEqual({ id: record.id, status: "approved" });
    });

    it("lets exactly one of two racing resolutions win", async () => {
      const { record } = await store.approvals.createOrReuseApproval(approval());
      const outcomes = await Promise.allSettled([
        store.approvals.resolveApproval(record.id, { status: "approved", approver: "alice", now: T0 + 1 }),
        store.approvals.resolveApproval(record.id, { status: "denied", approver: "bob", now: T0 + 1 }),
      ]);
      expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
      const failure = outcomes.find((outcome) => outcome.status === "rejected");
      expectAegisError(failure?.reason, "AEGIS_ERR_APPROVAL_STATE");
    });

    it("stores a resolution without a comment as comment null", async () => {
      const { record } = await store.approvals.createOrReuseApproval(approval());
      const denied = await store.approvals.resolveApproval(record.id, { status: "denied", approver: "bob", now: T0 + 1 });
      expect(denied.status).toBe("denied");
      expect(denied.comment).toBeNull();
    });

    it("refuses to resolve an expired approval and says it is expired", async () => {
      const { record } = await store.approvals.createOrReuseApproval(approval());
      const error = await rejection(store.approvals.resolveApproval(record.id, { status: "approved", approver: "alice", now: T0 + HOUR }));
      expectAegisError(error, "AEGIS_ERR_APPROVAL_STATE");
      expect((error as { details: unknown }).details).toEqual({ id: record.id, status: "expired" });
      expect((await store.approvals.getApproval(record.id, T0 + HOUR))?.approver).toBeNull();
    });

    it("refuses to resolve an unknown approval", async () => {
      const error = await rejection(store.approvals.resolveApproval("missing", { status: "approved", approver: "alice", now: T0 }));
      expectAegisError(error, "AEGIS_ERR_APPROVAL_NOT_FOUND");
    });

    it.each([
      ["a status other than approved or denied", { status: "expired", approver: "alice" }],
      ["an empty approver", { status: "approved", approver: " " }],
    ])("rejects a resolution with %s", async (_name, resolution) => {
      const { record } = await store.approvals.createOrReuseApproval(approval());
      const error = await rejection(store.approvals.resolveApproval(record.id, { ...resolution, now: T0 + 1 } as never));
      expectAegisError(error, "AEGIS_ERR_STATE");
      expect((await store.approvals.getApproval(record.id, T0 + 1))?.status).toBe("pending");
    });
  });

  describe("override tokens", () => {
    const token = { tokenHash: "f".repeat(64), digest: "d".repeat(64), approvalId: "apr-1", expiresAt: T0 + 300_000 };

    it("redeems once, then reads used", async () => {
      await store.tokens.storeToken(token);
      expect(await store.tokens.redeemToken(token.tokenHash, token.digest, T0)).toBe("redeemed");
      expect(await store.tokens.redeemToken(token.tokenHash, token.digest, T0 + 1)).toBe("used");
    });

    it("answers unknown for a hash it never stored", async () => {
      expect(await store.tokens.redeemToken("0".repeat(64), token.digest, T0)).toBe("unknown");
    });

    it("does not consume the token on a digest mismatch", async () => {
      await store.tokens.storeToken(token);
      expect(await store.tokens.redeemToken(token.tokenHash, "e".repeat(64), T0)).toBe("mismatch");
      expect(await store.tokens.redeemToken(token.tokenHash, token.digest, T0)).toBe("redeemed");
    });

    it("expires at expiresAt", async () => {
      await store.tokens.storeToken(token);
      expect(await store.tokens.redeemToken(token.tokenHash, token.digest, token.expiresAt)).toBe("expired");
      expect(await store.tokens.redeemToken(token.tokenHash, "e".repeat(64), token.expiresAt)).toBe("expired");
      expect(await store.tokens.redeemToken(token.tokenHash, token.digest, token.expiresAt - 1)).toBe("redeemed");
    });

    it("reports a used token as used even after it expired", async () => {
      await store.tokens.storeToken(token);
      await store.tokens.redeemToken(token.tokenHash, token.digest, T0);
      expect(await store.tokens.redeemToken(token.tokenHash, token.digest, token.expiresAt + 1)).toBe("used");
    });

    it("refuses to store the same hash twice, keeping the first token", async () => {
      await store.tokens.storeToken(token);
      expectAegisError(await rejection(store.tokens.storeToken({ ...token, digest: "e".repeat(64) })), "AEGIS_ERR_STATE");
      expect(await store.tokens.redeemToken(token.tokenHash, token.digest, T0)).toBe("redeemed");
    });

    it("lets exactly one of many concurrent redemptions through", async () => {
      await store.tokens.storeToken(token);
      const results = await Promise.all(
        Array.from({ length: 50 }, () => store.tokens.redeemToken(token.tokenHash, token.digest, T0)),
      );
      expect(results.filter((result) => result === "redeemed")).toHaveLength(1);
      expect(results.filter((result) => result === "used")).toHaveLength(49);
    });
  });

  describe("budgets", () => {
    const dayStart = Date.parse("2030-01-15T00:00:00.000Z");
    const nextDay = dayStart + DAY * 1000;

    it("reads 0 for a budget never charged", async () => {
      expect(await store.budgets.readBudgets([{ key: spend, windowSeconds: DAY }], T0)).toEqual([0]);
      expect(await store.budgets.readBudgets([], T0)).toEqual([]);
    });

    it("charges within the limit and reports what remains", async () => {
      expect(await store.budgets.reserveBudgets([charge(15_000, 20_000)], T0)).toEqual({ ok: true, remaining: [5_000] });
      expect(await store.budgets.readBudgets([{ key: spend, windowSeconds: DAY }], T0)).toEqual([15_000]);
      expect(await store.budgets.reserveBudgets([charge(5_000, 20_000)], T0)).toEqual({ ok: true, remaining: [0] });
      expect(await store.budgets.reserveBudgets([charge(0.01, 20_000)], T0)).toEqual({ ok: false, exceeded: 0 });
      expect(await store.budgets.readBudgets([{ key: spend, windowSeconds: DAY }], T0)).toEqual([20_000]);
    });

    it("applies all charges or none", async () => {
      const perCall: BudgetCharge = { key: { ...spend, name: "calls" }, windowSeconds: 60, cost: 1, limit: 100 };
      const result = await store.budgets.reserveBudgets([perCall, charge(25_000, 20_000)], T0);
      expect(result).toEqual({ ok: false, exceeded: 1 });
      expect(await store.budgets.readBudgets([perCall, { key: spend, windowSeconds: DAY }], T0)).toEqual([0, 0]);
      expect(await store.budgets.reserveBudgets([perCall, charge(2_000, 20_000)], T0)).toEqual({ ok: true, remaining: [99, 18_000] });
    });

    it("counts a counter named twice in one reservation with both costs", async () => {
      expect(await store.budgets.reserveBudgets([charge(5_000, 8_000), charge(5_000, 8_000)], T0)).toEqual({ ok: false, exceeded: 1 });
      expect(await store.budgets.readBudgets([{ key: spend, windowSeconds: DAY }], T0)).toEqual([0]);
      expect(await store.budgets.reserveBudgets([charge(5_000, 10_000), charge(5_000, 10_000)], T0)).toEqual({
        ok: true,
        remaining: [0, 0],
      });
    });

    it("rolls over to an empty window at the UTC window boundary", async () => {
      await store.budgets.reserveBudgets([charge(20_000, 20_000)], dayStart);
      expect(await store.budgets.readBudgets([{ key: spend, windowSeconds: DAY }], nextDay - 1)).toEqual([20_000]);
      expect(await store.budgets.reserveBudgets([charge(1, 20_000)], nextDay - 1)).toEqual({ ok: false, exceeded: 0 });
      expect(await store.budgets.readBudgets([{ key: spend, windowSeconds: DAY }], nextDay)).toEqual([0]);
      expect(await store.budgets.reserveBudgets([charge(1, 20_000)], nextDay)).toEqual({ ok: true, remaining: [19_999] });
    });

    it("keeps windows of different sizes, agents, tenants and names apart", async () => {
      await store.budgets.reserveBudgets([charge(100, 1_000)], dayStart);
      const others: BudgetCharge[] = [
        charge(1, 1_000, { windowSeconds: 3_600 }),
        charge(1, 1_000, { key: { ...spend, agent: "ops-agent" } }),
        charge(1, 1_000, { key: { ...spend, tenant: "globex" } }),
        charge(1, 1_000, { key: { ...spend, name: "weekly-spend" } }),
      ];
      expect(await store.budgets.readBudgets(others, dayStart)).toEqual([0, 0, 0, 0]);
      expect(await store.budgets.readBudgets([charge(0, 0)], dayStart)).toEqual([100]);
    });

    it("lets decimal costs reach their limit exactly", async () => {
      const cents = (cost: number) => charge(cost, 0.3, { key: { ...spend, name: "cents" } });
      expect((await store.budgets.reserveBudgets([cents(0.1)], T0)).ok).toBe(true);
      expect((await store.budgets.reserveBudgets([cents(0.2)], T0)).ok).toBe(true);
      expect(await store.budgets.reserveBudgets([cents(0.01)], T0)).toEqual({ ok: false, exceeded: 0 });
    });

    it("accepts an empty reservation", async () => {
      expect(await store.budgets.reserveBudgets([], T0)).toEqual({ ok: true, remaining: [] });
    });

    it("rejects a malformed charge without charging anything", async () => {
      const error = await rejection(store.budgets.reserveBudgets([charge(1, 10), charge(-5, 10)], T0));
      expectAegisError(error, "AEGIS_ERR_STATE");
      expect(await store.budgets.readBudgets([charge(0, 0)], T0)).toEqual([0]);
    });

    it("never overshoots under concurrent reservations", async () => {
      const results = await Promise.all(Array.from({ length: 10 }, () => store.budgets.reserveBudgets([charge(5_000, 20_000)], T0)));
      expect(results.filter((result) => result.ok)).toHaveLength(4);
      expect(await store.budgets.readBudgets([charge(0, 0)], T0)).toEqual([20_000]);
    });
  });

  describe("tombstones", () => {
    it("marks an id until its expiry", async () => {
      expect(await store.tombstones.isTombstoned("att-1", T0)).toBe(false);
      await store.tombstones.addTombstone("att-1", T0 + 60_000);
      expect(await store.tombstones.isTombstoned("att-1", T0 + 59_999)).toBe(true);
      expect(await store.tombstones.isTombstoned("att-1", T0 + 60_000)).toBe(false);
      expect(await store.tombstones.isTombstoned("att-2", T0)).toBe(false);
    });

    it("keeps the later expiry when an id is tombstoned twice", async () => {
      await store.tombstones.addTombstone("att-1", T0 + 120_000);
      await store.tombstones.addTombstone("att-1", T0 + 60_000);
      expect(await store.tombstones.isTombstoned("att-1", T0 + 90_000)).toBe(true);
      await store.tombstones.addTombstone("att-1", T0 + 180_000);
      expect(await store.tombstones.isTombstoned("att-1", T0 + 150_000)).toBe(true);
    });
  });

  describe("attestation ids (single use)", () => {
    it("grants the first claim of an id and refuses every later one until the claim expires", async () => {
      expect(await store.attestationIds.claimAttestationId("jti-1", T0 + 60_000, T0)).toBe(true);
      expect(await store.attestationIds.claimAttestationId("jti-1", T0 + 60_000, T0 + 1)).toBe(false);
      expect(await store.attestationIds.claimAttestationId("jti-1", T0 + 120_000, T0 + 59_999)).toBe(false);
      expect(await store.attestationIds.claimAttestationId("jti-2", T0 + 60_000, T0 + 1)).toBe(true);
      // Expired: the id is free again, and the new claim holds it anew.
      expect(await store.attestationIds.claimAttestationId("jti-1", T0 + 120_000, T0 + 60_000)).toBe(true);
      expect(await store.attestationIds.claimAttestationId("jti-1", T0 + 120_000, T0 + 60_001)).toBe(false);
    });

    it("keeps ids apart from tombstones and tokens of the same name", async () => {
      await store.tombstones.addTombstone("shared-id", T0 + 60_000);
      expect(await store.attestationIds.claimAttestationId("shared-id", T0 + 60_000, T0)).toBe(true);
      expect(await store.tombstones.isTombstoned("shared-id", T0)).toBe(true);
    });

    it("lets exactly one of many concurrent claims of one id through", async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => store.attestationIds.claimAttestationId("jti-race", T0 + 60_000, T0)));
      expect(results.filter((first) => first)).toHaveLength(1);
    });

    it("rejects a non-finite time with AEGIS_ERR_STATE", async () => {
      expectAegisError(await rejection(store.attestationIds.claimAttestationId("jti-x", Number.NaN, T0)), "AEGIS_ERR_STATE");
      expectAegisError(await rejection(store.attestationIds.claimAttestationId("jti-x", T0 + 1, Number.POSITIVE_INFINITY)), "AEGIS_ERR_STATE");
    });
  });

  describe("standing approvals", () => {
    const standing = (overrides: Partial<NewStandingApproval> = {}): NewStandingApproval => ({
      tenant: "acme", agent: "finance-agent", tool: "stripe-payments", action: "create_payment",
      bounds: [{ param: "amount", max: 8000 }, { param: "currency", in: ["eur", "usd"] }], uses: 3, expiresAt: T0 + HOUR, createdBy: "alice", now: T0, ...overrides,
    });

    it("creates an active standing approval with every field", async () => {
      const s = await store.standing.createStandingApproval({ ...standing(), comment: "month-end run" });
      expect(s).toEqual({
        id: s.id, tenant: "acme", agent: "finance-agent", tool: "stripe-payments", action: "create_payment",
        bounds: [{ param: "amount", max: 8000 }, { param: "currency", in: ["eur", "usd"] }], uses_total: 3, uses_left: 3,
        created_at: "2030-01-15T10:00:00.000Z", expires_at: "2030-01-15T11:00:00.000Z", created_by: "alice", comment: "month-end run",
        revoked_at: null, revoked_by: null, status: "active",
      });
      expect(s.id).toMatch(/^sa_[A-Za-z0-9_-]{22}$/);
      expect(await store.standing.getStandingApproval(s.id, T0)).toEqual(s);
      expect(await store.standing.getStandingApproval("sa_unknown", T0)).toBeUndefined();
    });

    it("counts down to exhausted, then answers exhausted", async () => {
      const s = await store.standing.createStandingApproval(standing());
      expect([await store.standing.consumeStandingApproval(s.id, T0), await store.standing.consumeStandingApproval(s.id, T0), await store.standing.consumeStandingApproval(s.id, T0)]).toEqual(["consumed", "consumed", "consumed"]);
      expect(await store.standing.consumeStandingApproval(s.id, T0)).toBe("exhausted");
      expect(await store.standing.getStandingApproval(s.id, T0)).toMatchObject({ uses_left: 0, status: "exhausted" });
    });

    it("answers expired from expires_at on, and unknown for an id it never stored", async () => {
      const s = await store.standing.createStandingApproval(standing());
      expect(await store.standing.consumeStandingApproval(s.id, T0 + HOUR)).toBe("expired");
      expect((await store.standing.getStandingApproval(s.id, T0 + HOUR))?.status).toBe("expired");
      expect(await store.standing.consumeStandingApproval("sa_nope", T0)).toBe("unknown");
    });

    it("revokes once: later uses answer revoked, a second revoke is AEGIS_ERR_APPROVAL_STATE", async () => {
      const s = await store.standing.createStandingApproval(standing());
      const revoked = await store.standing.revokeStandingApproval(s.id, "bob", T0 + 1000);
      expect(revoked).toMatchObject({ status: "revoked", revoked_by: "bob", revoked_at: "2030-01-15T10:00:01.000Z", uses_left: 3 });
      expect(await store.standing.consumeStandingApproval(s.id, T0 + 2000)).toBe("revoked");
      expectAegisError(await rejection(store.standing.revokeStandingApproval(s.id, "bob", T0 + 3000)), "AEGIS_ERR_APPROVAL_STATE");
      expectAegisError(await rejection(store.standing.revokeStandingApproval("sa_nope", "bob", T0)), "AEGIS_ERR_APPROVAL_NOT_FOUND");
    });

    it("lists newest first, filtered by tenant, agent and status", async () => {
      const a = await store.standing.createStandingApproval(standing());
      const b = await store.standing.createStandingApproval(standing({ agent: "docs-agent", now: T0 + 1 }));
      const c = await store.standing.createStandingApproval(standing({ tenant: "globex", now: T0 + 2 }));
      await store.standing.revokeStandingApproval(a.id, "bob", T0 + 3);
      expect((await store.standing.listStandingApprovals({}, T0 + 4)).map((s) => s.id)).toEqual([c.id, b.id, a.id]);
      expect((await store.standing.listStandingApprovals({ tenant: "acme" }, T0 + 4)).map((s) => s.id)).toEqual([b.id, a.id]);
      expect((await store.standing.listStandingApprovals({ tenant: "acme", agent: "finance-agent" }, T0 + 4)).map((s) => s.id)).toEqual([a.id]);
      expect((await store.standing.listStandingApprovals({ status: "active" }, T0 + 4)).map((s) => s.id)).toEqual([c.id, b.id]);
    });

    it("takes exactly N uses when many calls race in one process", async () => {
      const s = await store.standing.createStandingApproval(standing({ uses: 5 }));
      const results = await Promise.all(Array.from({ length: 40 }, () => store.standing.consumeStandingApproval(s.id, T0)));
      expect(results.filter((r) => r === "consumed")).toHaveLength(5);
      expect(results.filter((r) => r === "exhausted")).toHaveLength(35);
    });

    it("refuses malformed standing approvals with AEGIS_ERR_STATE and stores nothing", async () => {
      for (const bad of [standing({ uses: 0 }), standing({ uses: 1.5 }), standing({ expiresAt: T0 }), standing({ tool: "" }), standing({ bounds: [{ param: "amount" }] }), standing({ bounds: [{ param: "amount", max: Number.NaN }] })]) {
        expectAegisError(await rejection(store.standing.createStandingApproval(bad)), "AEGIS_ERR_STATE");
      }
      expect(await store.standing.listStandingApprovals({}, T0)).toEqual([]);
    });
  });
});
