// estimated_cost, the FinOps field: on the decision record and on the span, from the call's
// spend-budget charges (count budgets are no cost; two spend budgets on one amount count once).
import { describe, expect, it } from "vitest";
import type { CheckEvent } from "../../src/authz/check-event.ts";
import { estimatedCost } from "../../src/decision/estimated-cost.ts";
import type { Decision } from "../../src/decision/types.ts";
import { decisionRecord } from "../../src/server/check-observer.ts";
import { ATTR, outcomeAttributes } from "../../src/telemetry/tracing.ts";

const budgets = [
  { name: "daily-spend", sum_param: "amount" }, { name: "monthly-spend", sum_param: "amount" }, { name: "hourly-calls", sum_param: null },
];
const charges = [
  { name: "daily-spend", cost: 1200, limit: 20000, window_seconds: 86400, spent: 0 },
  { name: "monthly-spend", cost: 1200, limit: 200000, window_seconds: 2592000, spent: 0 },
  { name: "hourly-calls", cost: 1, limit: 100, window_seconds: 3600, spent: 0 },
];

describe("estimated_cost", () => {
  it("is the call's spend, not the sum of its charges nor its call counts", () => {
    expect(estimatedCost(charges, budgets)).toBe(1200);
    expect(estimatedCost([charges[2]!], budgets)).toBeNull();
    expect(estimatedCost([], budgets)).toBeNull();
  });

  it("is on the decision record and the span, for a deny as for an allow", () => {
    const decision = { decision_id: "d", outcome: "deny", allow: false, reason: "blocked_over_hard_limit", rule_id: "r", policy_version: "v", deny_reasons: [], mode: "enforce", redactions: { headers: [], query: [], params: [] }, approval: null, budget_charges: charges } as unknown as Decision;
    const event = { decision, input: null, invalidReason: null, effectiveOutcome: "deny", shadowedOutcome: null, approval: null, approverChannels: [], callDigest: () => null, tokenRejection: null, budgetRemaining: null, latencyMs: 1, engineMs: 0.1, estimatedCost: 1200, mcp: null } as CheckEvent;
    expect(decisionRecord(event, { requestId: "" } as never, null).estimated_cost).toBe(1200);
    expect(outcomeAttributes({ tenant: "acme", agent_id: "a", tool: "t", action: "x", policy_version: "v", decision: "deny", decision_id: "d", rule_id: "r", reason: "x", estimated_cost: 1200 }, 1)[ATTR.estimatedCost]).toBe(1200);
    expect(outcomeAttributes({ tenant: "acme", agent_id: "a", tool: "t", action: "x", policy_version: "v", decision: "allow", decision_id: "d", rule_id: "r", reason: "x", estimated_cost: null }, 1)).not.toHaveProperty(ATTR.estimatedCost);
  });
});
