import { describe, expect, it } from "vitest";
import type { ApprovalFilter } from "../../../src/state/approval-store.ts";
import { describeEachBackend, T0, HOUR, approval, rejection, expectAegisError } from "./contract-support.ts";

describeEachBackend("approvals", (store) => {
  it("creates a pending record with every field", async () => {
    const preview = { amount: 6000, card_number: "[REDACTED]" };
    const { record, created } = await store().approvals.createOrReuseApproval(approval({ params_preview: preview }));
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
    expect(await store().approvals.getApproval(record.id, T0 + 1)).toEqual(record);
  });

  it("gives each approval its own random id and no preview when none was given", async () => {
    const first = await store().approvals.createOrReuseApproval(approval({ digest: "1".repeat(64) }));
    const second = await store().approvals.createOrReuseApproval(approval({ digest: "2".repeat(64) }));
    expect(first.record.id).not.toBe(second.record.id);
    expect(first.record.params_preview).toBeNull();
  });

  it("reuses the pending, unexpired record of an identical call", async () => {
    const first = await store().approvals.createOrReuseApproval(approval());
    const again = await store().approvals.createOrReuseApproval(approval({ now: T0 + 10 * 60_000 }));
    expect(again.created).toBe(false);
    expect(again.record.id).toBe(first.record.id);
    expect(again.record.created_at).toBe(first.record.created_at);
    expect(await store().approvals.listApprovals({}, T0 + 10 * 60_000)).toHaveLength(1);
  });

  it("reuses only within the tenant", async () => {
    const acme = await store().approvals.createOrReuseApproval(approval());
    const globex = await store().approvals.createOrReuseApproval(approval({ tenant: "globex" }));
    expect(globex.created).toBe(true);
    expect(globex.record.id).not.toBe(acme.record.id);
    expect(globex.record.queue_position).toBe(1);
  });

  it("creates a new record once the identical one has expired", async () => {
    const first = await store().approvals.createOrReuseApproval(approval());
    const later = T0 + HOUR;
    const second = await store().approvals.createOrReuseApproval(approval({ now: later }));
    expect(second.created).toBe(true);
    expect(second.record.id).not.toBe(first.record.id);
    const old = await store().approvals.getApproval(first.record.id, later);
    expect(old?.status).toBe("expired");
    expect(old?.queue_position).toBeNull();
    expect(second.record.queue_position).toBe(1);
  });

  it("creates a new record once the identical one was resolved", async () => {
    const first = await store().approvals.createOrReuseApproval(approval());
    await store().approvals.resolveApproval(first.record.id, { status: "denied", approver: "alice", now: T0 + 1 });
    const second = await store().approvals.createOrReuseApproval(approval({ now: T0 + 2 }));
    expect(second.created).toBe(true);
    expect(second.record.id).not.toBe(first.record.id);
  });

  it("creates exactly one record when identical calls arrive together", async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => store().approvals.createOrReuseApproval(approval())));
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result.record.id)).size).toBe(1);
  });

  it("reads a pending record as expired from its expires_at on", async () => {
    const { record } = await store().approvals.createOrReuseApproval(approval());
    expect((await store().approvals.getApproval(record.id, T0 + HOUR - 1))?.status).toBe("pending");
    expect((await store().approvals.getApproval(record.id, T0 + HOUR))?.status).toBe("expired");
  });

  it("numbers the tenant's pending queue oldest first and closes gaps on resolution and expiry", async () => {
    const short = await store().approvals.createOrReuseApproval(approval({ digest: "1".repeat(64), expires_in_seconds: 60 }));
    const second = await store().approvals.createOrReuseApproval(approval({ digest: "2".repeat(64), now: T0 + 1 }));
    const third = await store().approvals.createOrReuseApproval(approval({ digest: "3".repeat(64), now: T0 + 2 }));
    const fourth = await store().approvals.createOrReuseApproval(approval({ digest: "4".repeat(64), now: T0 + 3 }));
    expect([short, second, third, fourth].map((r) => r.record.queue_position)).toEqual([1, 2, 3, 4]);

    await store().approvals.resolveApproval(second.record.id, { status: "approved", approver: "alice", now: T0 + 10 });
    const afterExpiry = T0 + 60_000;
    expect((await store().approvals.getApproval(short.record.id, afterExpiry))?.queue_position).toBeNull();
    expect((await store().approvals.getApproval(second.record.id, afterExpiry))?.queue_position).toBeNull();
    expect((await store().approvals.getApproval(third.record.id, afterExpiry))?.queue_position).toBe(1);
    expect((await store().approvals.getApproval(fourth.record.id, afterExpiry))?.queue_position).toBe(2);
    const pending = await store().approvals.listApprovals({ status: "pending" }, afterExpiry);
    expect(pending.map((r) => [r.id, r.queue_position])).toEqual([
      [third.record.id, 1],
      [fourth.record.id, 2],
    ]);
  });

  it("answers undefined for an unknown id", async () => {
    expect(await store().approvals.getApproval("no-such-id", T0)).toBeUndefined();
  });

  it("lists oldest first, filtered by status, tenant and agent", async () => {
    const a = await store().approvals.createOrReuseApproval(approval({ digest: "1".repeat(64) }));
    const b = await store().approvals.createOrReuseApproval(approval({ digest: "2".repeat(64), now: T0 + 1, agent: "ops-agent" }));
    const c = await store().approvals.createOrReuseApproval(approval({ digest: "3".repeat(64), now: T0 + 2, tenant: "globex" }));
    const d = await store().approvals.createOrReuseApproval(approval({ digest: "4".repeat(64), now: T0 + 3, expires_in_seconds: 1 }));
    const e = await store().approvals.createOrReuseApproval(approval({ digest: "5".repeat(64), now: T0 + 4 }));
    await store().approvals.resolveApproval(a.record.id, { status: "approved", approver: "alice", now: T0 + 5 });
    await store().approvals.resolveApproval(e.record.id, { status: "denied", approver: "bob", now: T0 + 6 });
    const now = T0 + 5_000;
    const ids = async (filter: ApprovalFilter) =>
      (await store().approvals.listApprovals(filter, now)).map((record) => record.id);

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
    const { record } = await store().approvals.createOrReuseApproval(approval());
    const resolved = await store().approvals.resolveApproval(record.id, {
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
    expect(await store().approvals.getApproval(record.id, T0 + 2 * HOUR)).toEqual(resolved);

    const second = await rejection(store().approvals.resolveApproval(record.id, { status: "denied", approver: "bob", now: T0 + 120_000 }));
    expectAegisError(second, "AEGIS_ERR_APPROVAL_STATE");
    expect((second as { details: unknown }).details).toEqual({ id: record.id, status: "approved" });
  });

  it("lets exactly one of two racing resolutions win", async () => {
    const { record } = await store().approvals.createOrReuseApproval(approval());
    const outcomes = await Promise.allSettled([
      store().approvals.resolveApproval(record.id, { status: "approved", approver: "alice", now: T0 + 1 }),
      store().approvals.resolveApproval(record.id, { status: "denied", approver: "bob", now: T0 + 1 }),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    const failure = outcomes.find((outcome) => outcome.status === "rejected");
    expectAegisError(failure?.reason, "AEGIS_ERR_APPROVAL_STATE");
  });

  it("stores a resolution without a comment as comment null", async () => {
    const { record } = await store().approvals.createOrReuseApproval(approval());
    const denied = await store().approvals.resolveApproval(record.id, { status: "denied", approver: "bob", now: T0 + 1 });
    expect(denied.status).toBe("denied");
    expect(denied.comment).toBeNull();
  });

  it("refuses to resolve an expired approval and says it is expired", async () => {
    const { record } = await store().approvals.createOrReuseApproval(approval());
    const error = await rejection(store().approvals.resolveApproval(record.id, { status: "approved", approver: "alice", now: T0 + HOUR }));
    expectAegisError(error, "AEGIS_ERR_APPROVAL_STATE");
    expect((error as { details: unknown }).details).toEqual({ id: record.id, status: "expired" });
    expect((await store().approvals.getApproval(record.id, T0 + HOUR))?.approver).toBeNull();
  });

  it("refuses to resolve an unknown approval", async () => {
    const error = await rejection(store().approvals.resolveApproval("missing", { status: "approved", approver: "alice", now: T0 }));
    expectAegisError(error, "AEGIS_ERR_APPROVAL_NOT_FOUND");
  });

  it.each([
    ["a status other than approved or denied", { status: "expired", approver: "alice" }],
    ["an empty approver", { status: "approved", approver: " " }],
  ])("rejects a resolution with %s", async (_name, resolution) => {
    const { record } = await store().approvals.createOrReuseApproval(approval());
    const error = await rejection(store().approvals.resolveApproval(record.id, { ...resolution, now: T0 + 1 } as never));
    expectAegisError(error, "AEGIS_ERR_STATE");
    expect((await store().approvals.getApproval(record.id, T0 + 1))?.status).toBe("pending");
  });

  describe("order: creation order, never created_at", () => {
    it("lists two approvals created in the same millisecond in the order they were created, within and across tenants", async () => {
      // Interleaved, so no per-tenant grouping (in whatever tenant order) can produce this order.
      const first = await store().approvals.createOrReuseApproval(approval({ digest: "1".repeat(64) }));
      const zeta = await store().approvals.createOrReuseApproval(approval({ tenant: "zeta", digest: "2".repeat(64) }));
      const second = await store().approvals.createOrReuseApproval(approval({ digest: "3".repeat(64) }));
      const ids = async (filter: ApprovalFilter) => (await store().approvals.listApprovals(filter, T0)).map((r) => r.id);
      expect(await ids({})).toEqual([first.record.id, zeta.record.id, second.record.id]);
      expect(await ids({ status: "pending" })).toEqual([first.record.id, zeta.record.id, second.record.id]);
      expect(await ids({ tenant: "acme" })).toEqual([first.record.id, second.record.id]);
      expect([first, second].map((r) => r.record.queue_position)).toEqual([1, 2]);
    });

    it("keeps creation order when a later approval carries an earlier created_at (a replica whose clock is behind)", async () => {
      const early = await store().approvals.createOrReuseApproval(approval({ digest: "1".repeat(64), now: T0 + 1_000 }));
      const lagging = await store().approvals.createOrReuseApproval(approval({ digest: "2".repeat(64), now: T0 }));
      const otherTenant = await store().approvals.createOrReuseApproval(approval({ tenant: "globex", digest: "3".repeat(64), now: T0 + 500 }));
      const listed = await store().approvals.listApprovals({}, T0 + 2_000);
      expect(listed.map((r) => [r.id, r.queue_position])).toEqual([
        [early.record.id, 1],
        [lagging.record.id, 2],
        [otherTenant.record.id, 1],
      ]);
      expect((await store().approvals.getApproval(lagging.record.id, T0 + 2_000))?.queue_position).toBe(2);
    });

    it("numbers the queue tenant-wide even when the listing is filtered by agent", async () => {
      await store().approvals.createOrReuseApproval(approval({ digest: "1".repeat(64) }));
      const ops = await store().approvals.createOrReuseApproval(approval({ digest: "2".repeat(64), agent: "ops-agent", now: T0 + 1 }));
      const listed = await store().approvals.listApprovals({ tenant: "acme", agent: "ops-agent" }, T0 + 2);
      expect(listed.map((r) => [r.id, r.queue_position])).toEqual([[ops.record.id, 2]]);
      expect((await store().approvals.listApprovals({ agent: "ops-agent" }, T0 + 2)).map((r) => r.queue_position)).toEqual([2]);
    });

    it("gives resolved and expired records no queue position in listings", async () => {
      const resolved = await store().approvals.createOrReuseApproval(approval({ digest: "1".repeat(64) }));
      const expiring = await store().approvals.createOrReuseApproval(approval({ digest: "2".repeat(64), expires_in_seconds: 1 }));
      const waiting = await store().approvals.createOrReuseApproval(approval({ digest: "3".repeat(64) }));
      await store().approvals.resolveApproval(resolved.record.id, { status: "denied", approver: "bob", now: T0 + 1 });
      const listed = await store().approvals.listApprovals({}, T0 + 1_000);
      expect(listed.map((r) => [r.id, r.status, r.queue_position])).toEqual([
        [resolved.record.id, "denied", null],
        [expiring.record.id, "expired", null],
        [waiting.record.id, "pending", 1],
      ]);
    });
  });

  describe("the expiry boundary (expires_at = now + expires_in_seconds; expired from that millisecond on)", () => {
    const expiresAt = T0 + HOUR;

    it("filters by the status as read at now: pending up to the millisecond before, expired from it", async () => {
      const { record } = await store().approvals.createOrReuseApproval(approval());
      const ids = async (filter: ApprovalFilter, now: number) => (await store().approvals.listApprovals(filter, now)).map((r) => r.id);
      expect(await ids({ status: "pending" }, expiresAt - 1)).toEqual([record.id]);
      expect(await ids({ status: "expired" }, expiresAt - 1)).toEqual([]);
      expect(await ids({ status: "pending" }, expiresAt)).toEqual([]);
      expect(await ids({ status: "expired" }, expiresAt)).toEqual([record.id]);
      expect(await ids({}, expiresAt)).toEqual([record.id]);
    });

    it("reuses the identical pending call up to the millisecond before its expiry, and creates a new one from it", async () => {
      const { record } = await store().approvals.createOrReuseApproval(approval());
      const reused = await store().approvals.createOrReuseApproval(approval({ now: expiresAt - 1 }));
      expect([reused.created, reused.record.id]).toEqual([false, record.id]);
      const fresh = await store().approvals.createOrReuseApproval(approval({ now: expiresAt }));
      expect(fresh.created).toBe(true);
      expect(fresh.record.id).not.toBe(record.id);
      expect(fresh.record.queue_position).toBe(1);
    });

    it("resolves up to the millisecond before expiry", async () => {
      const { record } = await store().approvals.createOrReuseApproval(approval());
      const resolved = await store().approvals.resolveApproval(record.id, { status: "approved", approver: "alice", now: expiresAt - 1 });
      expect(resolved).toMatchObject({ status: "approved", resolved_at: new Date(expiresAt - 1).toISOString(), queue_position: null });
      // Once resolved, the record keeps its status past expires_at: only pending records expire.
      expect((await store().approvals.getApproval(record.id, expiresAt + 1))?.status).toBe("approved");
    });

    it("rounds fractional expires_in_seconds to the millisecond", async () => {
      const { record } = await store().approvals.createOrReuseApproval(approval({ expires_in_seconds: 1.0004 }));
      expect(record.expires_at).toBe(new Date(T0 + 1_000).toISOString());
    });
  });

  it("says a resolved record is approved or denied when resolved again", async () => {
    const { record } = await store().approvals.createOrReuseApproval(approval());
    await store().approvals.resolveApproval(record.id, { status: "denied", approver: "bob", now: T0 + 1 });
    const error = await rejection(store().approvals.resolveApproval(record.id, { status: "approved", approver: "alice", now: T0 + 2 }));
    expectAegisError(error, "AEGIS_ERR_APPROVAL_STATE");
    expect((error as { details: unknown }).details).toEqual({ id: record.id, status: "denied" });
  });

  it("keeps an empty comment as an empty string, not null", async () => {
    const { record } = await store().approvals.createOrReuseApproval(approval());
    const resolved = await store().approvals.resolveApproval(record.id, { status: "approved", approver: "alice", comment: "", now: T0 + 1 });
    expect(resolved.comment).toBe("");
  });

  it("rejects a non-finite now or a non-positive lifetime with AEGIS_ERR_STATE and stores nothing", async () => {
    for (const bad of [approval({ now: Number.NaN }), approval({ expires_in_seconds: 0 }), approval({ expires_in_seconds: Number.POSITIVE_INFINITY })]) {
      expectAegisError(await rejection(store().approvals.createOrReuseApproval(bad)), "AEGIS_ERR_STATE");
    }
    expect(await store().approvals.listApprovals({}, T0)).toEqual([]);
  });
});
