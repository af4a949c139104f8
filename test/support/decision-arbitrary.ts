// fast-check arbitraries for decisions as normalizeDecision produces them: any outcome with a
// reason that goes with it, redactions only when sanitizing, approval details only when needed.
import fc from "fast-check";
import { DENY_REASONS, type BudgetCharge, type Decision, type Reason } from "../../src/decision/types.ts";

const text = fc.string({ maxLength: 12 });

export const budgetCharge: fc.Arbitrary<BudgetCharge> = fc.record({
  name: fc.constantFrom("daily-spend", "hourly-calls", "weekly-refunds"),
  cost: fc.nat({ max: 10_000 }),
  limit: fc.nat({ max: 50_000 }),
  window_seconds: fc.constantFrom(3600, 86_400),
  spent: fc.nat({ max: 50_000 }),
});

export const decision: fc.Arbitrary<Decision> = fc
  .record({
    decision_id: text,
    outcome: fc.constantFrom("allow", "deny", "sanitize", "approval_needed"),
    denyReason: fc.constantFrom(...DENY_REASONS),
    allowReason: fc.constantFrom("within_limit", "allowed"),
    rule_id: text,
    policy_version: text,
    mode: fc.constantFrom("enforce", "shadow"),
    redactions: fc.record({ headers: fc.array(text, { maxLength: 2 }), query: fc.array(text, { maxLength: 2 }), params: fc.array(text, { maxLength: 2 }) }),
    approval: fc.record({ amount: fc.double(), threshold: fc.double(), hard_limit: fc.double() }),
    budget_charges: fc.array(budgetCharge, { maxLength: 3 }),
  })
  .map(({ outcome, denyReason, allowReason, approval, redactions, ...rest }): Decision => {
    const reason: Reason = outcome === "deny" ? denyReason : outcome === "sanitize" ? "sanitized" : outcome === "approval_needed" ? "approval_needed" : allowReason;
    return {
      ...rest,
      outcome,
      allow: outcome === "allow" || outcome === "sanitize",
      reason,
      deny_reasons: outcome === "deny" ? [{ reason: denyReason, rule_id: rest.rule_id }] : [],
      redactions: outcome === "sanitize" ? redactions : { headers: [], query: [], params: [] },
      approval: outcome === "approval_needed" ? approval : null,
    };
  });
