// fast-check arbitraries for decisions as normalizeDecision produces them: any outcome with a
// reason that goes with it, redactions only when sanitizing, approval details only when needed.
import fc from "fast-check";
import { DENY_REASONS, type BudgetCharge, type Decision, type DenyReason, type Reason } from "../../src/decision/types.ts";

const text = fc.string({ maxLength: 12 });

export const budgetCharge: fc.Arbitrary<BudgetCharge> = fc.record({
  name: fc.constantFrom("daily-spend", "hourly-calls", "weekly-refunds"),
  cost: fc.nat({ max: 10_000 }),
  limit: fc.nat({ max: 50_000 }),
  window_seconds: fc.constantFrom(3600, 86_400),
  spent: fc.nat({ max: 50_000 }),
});

const NO_REDACTIONS = { headers: [], query: [], params: [] };

/** A reason that goes with each outcome. */
const reasonOf = {
  allow: fc.constantFrom<Reason>("within_limit", "allowed"),
  deny: fc.constantFrom<Reason>(...DENY_REASONS),
  sanitize: fc.constant<Reason>("sanitized"),
  approval_needed: fc.constant<Reason>("approval_needed"),
} as const;

export const decision: fc.Arbitrary<Decision> = fc
  .constantFrom("allow", "deny", "sanitize", "approval_needed")
  .chain((outcome) =>
    fc.record({
      decision_id: text,
      outcome: fc.constant(outcome),
      allow: fc.constant(outcome === "allow" || outcome === "sanitize"),
      reason: reasonOf[outcome],
      rule_id: text,
      policy_version: text,
      deny_reasons: fc.constant([]),
      mode: fc.constantFrom("enforce", "shadow"),
      redactions: outcome === "sanitize" ? fc.record({ headers: fc.array(text, { maxLength: 2 }), query: fc.array(text, { maxLength: 2 }), params: fc.array(text, { maxLength: 2 }) }) : fc.constant(NO_REDACTIONS),
      approval: outcome === "approval_needed" ? fc.record({ amount: fc.double(), threshold: fc.double(), hard_limit: fc.double() }) : fc.constant(null),
      budget_charges: fc.array(budgetCharge, { maxLength: 3 }),
    }),
  )
  .map((d): Decision => (d.outcome === "deny" ? { ...d, deny_reasons: [{ reason: d.reason as DenyReason, rule_id: d.rule_id }] } : d));
