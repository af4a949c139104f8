import { describe, expect, it } from "vitest";
import type { StandingApproval } from "../state/standing-approval-store.ts";
import { applyStandingApproval, matchingStandingApprovals, withinBounds } from "./standing-approval.ts";
import type { Decision } from "./types.ts";

const base: StandingApproval = {
  id: "sa_1", tenant: "acme", agent: "finance-agent", tool: "stripe-payments", action: "create_payment",
  bounds: [{ param: "amount", max: 8000 }, { param: "currency", in: ["eur", "usd"] }], uses_total: 5, uses_left: 5,
  created_at: "2030-01-01T00:00:00.000Z", expires_at: "2030-01-02T00:00:00.000Z", created_by: "alice", comment: null, revoked_at: null, revoked_by: null, status: "active",
};
const call = { tenant: "acme", agent: "finance-agent", tool: "stripe-payments", action: "create_payment", params: { amount: 6000, currency: "eur" } };

describe("standing approval matching", () => {
  it("covers a call of its tenant, agent, tool and action within every bound", () => {
    expect(matchingStandingApprovals([base], call).map((s) => s.id)).toEqual(["sa_1"]);
  });

  it.each([
    ["another tenant", { tenant: "globex" }], ["another agent", { agent: "docs-agent" }], ["another tool", { tool: "docs" }], ["another action", { action: "refund" }],
  ])("does not cover %s", (_, change) => {
    expect(matchingStandingApprovals([base], { ...call, ...change })).toEqual([]);
  });

  it("reads bounds the way the policy reads amounts, and fails a missing or odd value", () => {
    expect(withinBounds(base.bounds, { amount: "7999.99", currency: "usd" })).toBe(true);
    expect(withinBounds(base.bounds, { amount: 8000.01, currency: "eur" })).toBe(false);
    expect(withinBounds(base.bounds, { currency: "eur" })).toBe(false);
    expect(withinBounds(base.bounds, { amount: "1e3", currency: "eur" })).toBe(false);
    expect(withinBounds(base.bounds, { amount: [1], currency: "eur" })).toBe(false);
    expect(withinBounds(base.bounds, { amount: 10, currency: "EUR" })).toBe(false);
    expect(withinBounds([{ param: "n", in: [1, 2] }], { n: "2" })).toBe(true);
    expect(withinBounds([{ param: "n", min: 5 }], { n: 4 })).toBe(false);
    // An inherited name is not a parameter.
    expect(withinBounds([{ param: "toString", max: 1 }], {})).toBe(false);
  });

  it("skips inactive ones and uses the soonest-expiring first", () => {
    const later = { ...base, id: "sa_2", expires_at: "2030-01-03T00:00:00.000Z" };
    const revoked = { ...base, id: "sa_3", status: "revoked" as const };
    expect(matchingStandingApprovals([later, revoked, base], call).map((s) => s.id)).toEqual(["sa_1", "sa_2"]);
  });

  it("turns the decision into an allow named after the standing approval", () => {
    const d = { outcome: "approval_needed", allow: false, reason: "approval_needed", rule_id: "r", approval: { amount: 6000, threshold: 5000, hard_limit: 50000 } } as unknown as Decision;
    expect(applyStandingApproval(d, "sa_1")).toMatchObject({ outcome: "allow", allow: true, reason: "approved_standing", rule_id: "sa_1", approval: null });
  });
});
