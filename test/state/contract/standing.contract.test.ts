import { expect, it } from "vitest";
import type { NewStandingApproval } from "../../../src/state/standing-approval-store.ts";
import { describeEachBackend, T0, HOUR, rejection, expectAegisError } from "./contract-support.ts";

describeEachBackend("standing approvals", (store) => {
  const standing = (overrides: Partial<NewStandingApproval> = {}): NewStandingApproval => ({
    tenant: "acme", agent: "finance-agent", tool: "stripe-payments", action: "create_payment",
    bounds: [{ param: "amount", max: 8000 }, { param: "currency", in: ["eur", "usd"] }], uses: 3, expiresAt: T0 + HOUR, createdBy: "alice", now: T0, ...overrides,
  });

  it("creates an active standing approval with every field", async () => {
    const s = await store().standing.createStandingApproval({ ...standing(), comment: "month-end run" });
    expect(s).toEqual({
      id: s.id, tenant: "acme", agent: "finance-agent", tool: "stripe-payments", action: "create_payment",
      bounds: [{ param: "amount", max: 8000 }, { param: "currency", in: ["eur", "usd"] }], uses_total: 3, uses_left: 3,
      created_at: "2030-01-15T10:00:00.000Z", expires_at: "2030-01-15T11:00:00.000Z", created_by: "alice", comment: "month-end run",
      revoked_at: null, revoked_by: null, status: "active",
    });
    expect(s.id).toMatch(/^sa_[A-Za-z0-9_-]{22}$/);
    expect(await store().standing.getStandingApproval(s.id, T0)).toEqual(s);
    expect(await store().standing.getStandingApproval("sa_unknown", T0)).toBeUndefined();
  });

  it("counts down to exhausted, then answers exhausted", async () => {
    const s = await store().standing.createStandingApproval(standing());
    expect([await store().standing.consumeStandingApproval(s.id, T0), await store().standing.consumeStandingApproval(s.id, T0), await store().standing.consumeStandingApproval(s.id, T0)]).toEqual(["consumed", "consumed", "consumed"]);
    expect(await store().standing.consumeStandingApproval(s.id, T0)).toBe("exhausted");
    expect(await store().standing.getStandingApproval(s.id, T0)).toMatchObject({ uses_left: 0, status: "exhausted" });
  });

  it("answers expired from expires_at on, and unknown for an id it never stored", async () => {
    const s = await store().standing.createStandingApproval(standing());
    expect(await store().standing.consumeStandingApproval(s.id, T0 + HOUR)).toBe("expired");
    expect((await store().standing.getStandingApproval(s.id, T0 + HOUR))?.status).toBe("expired");
    expect(await store().standing.consumeStandingApproval("sa_nope", T0)).toBe("unknown");
  });

  it("revokes once: later uses answer revoked, a second revoke is AEGIS_ERR_APPROVAL_STATE", async () => {
    const s = await store().standing.createStandingApproval(standing());
    const revoked = await store().standing.revokeStandingApproval(s.id, "bob", T0 + 1000);
    expect(revoked).toMatchObject({ status: "revoked", revoked_by: "bob", revoked_at: "2030-01-15T10:00:01.000Z", uses_left: 3 });
    expect(await store().standing.consumeStandingApproval(s.id, T0 + 2000)).toBe("revoked");
    expectAegisError(await rejection(store().standing.revokeStandingApproval(s.id, "bob", T0 + 3000)), "AEGIS_ERR_APPROVAL_STATE");
    expectAegisError(await rejection(store().standing.revokeStandingApproval("sa_nope", "bob", T0)), "AEGIS_ERR_APPROVAL_NOT_FOUND");
  });

  it("lists newest first, filtered by tenant, agent and status", async () => {
    const a = await store().standing.createStandingApproval(standing());
    const b = await store().standing.createStandingApproval(standing({ agent: "docs-agent", now: T0 + 1 }));
    const c = await store().standing.createStandingApproval(standing({ tenant: "globex", now: T0 + 2 }));
    await store().standing.revokeStandingApproval(a.id, "bob", T0 + 3);
    expect((await store().standing.listStandingApprovals({}, T0 + 4)).map((s) => s.id)).toEqual([c.id, b.id, a.id]);
    expect((await store().standing.listStandingApprovals({ tenant: "acme" }, T0 + 4)).map((s) => s.id)).toEqual([b.id, a.id]);
    expect((await store().standing.listStandingApprovals({ tenant: "acme", agent: "finance-agent" }, T0 + 4)).map((s) => s.id)).toEqual([a.id]);
    expect((await store().standing.listStandingApprovals({ status: "active" }, T0 + 4)).map((s) => s.id)).toEqual([c.id, b.id]);
  });

  it("takes exactly N uses when many calls race in one process", async () => {
    const s = await store().standing.createStandingApproval(standing({ uses: 5 }));
    const results = await Promise.all(Array.from({ length: 40 }, () => store().standing.consumeStandingApproval(s.id, T0)));
    expect(results.filter((r) => r === "consumed")).toHaveLength(5);
    expect(results.filter((r) => r === "exhausted")).toHaveLength(35);
  });

  it("refuses malformed standing approvals with AEGIS_ERR_REQUEST_INVALID and stores nothing", async () => {
    for (const bad of [standing({ uses: 0 }), standing({ uses: 1.5 }), standing({ expiresAt: T0 }), standing({ tool: "" }), standing({ bounds: [{ param: "amount" }] }), standing({ bounds: [{ param: "amount", max: Number.NaN }] })]) {
      expectAegisError(await rejection(store().standing.createStandingApproval(bad)), "AEGIS_ERR_REQUEST_INVALID");
    }
    expect(await store().standing.listStandingApprovals({}, T0)).toEqual([]);
  });

  it("lists standing approvals created in the same millisecond by id, descending, on every backend", async () => {
    const created = await Promise.all([1, 2, 3, 4].map(() => store().standing.createStandingApproval(standing())));
    const expected = created.map((s) => s.id).sort().reverse();
    expect((await store().standing.listStandingApprovals({}, T0)).map((s) => s.id)).toEqual(expected);
    expect((await store().standing.listStandingApprovals({ tenant: "acme", agent: "finance-agent" }, T0)).map((s) => s.id)).toEqual(expected);
  });
});
