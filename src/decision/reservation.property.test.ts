// For any decision and any reservation outcome, applyReservation keeps a decision whose charges
// fit and turns one that lost the race into the budget_exceeded deny of the budget that did not fit.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decision } from "../../test/support/decision-arbitrary.ts";
import { applyReservation, budgetRemaining } from "./reservation.ts";
import { BUILTIN_RULE_IDS } from "./types.ts";

const BUDGETS = [
  { name: "daily-spend", rule_id: "acme/finance-agent/budgets/daily-spend" },
  { name: "hourly-calls", rule_id: "acme/finance-agent/budgets/hourly-calls" },
];
const charged = decision.filter((d) => d.budget_charges.length > 0);

describe("applyReservation, for any decision", () => {
  it("keeps the decision as it is when every charge fit", () => {
    fc.assert(
      fc.property(decision, (d) => {
        expect(applyReservation(d, { ok: true, remaining: d.budget_charges.map(() => 0) }, BUDGETS)).toBe(d);
      }),
      { numRuns: 500 },
    );
  });

  it("denies a lost race as budget_exceeded under the rule of the budget that did not fit, keeping id, version, mode and charges", () => {
    fc.assert(
      fc.property(charged.chain((d) => fc.tuple(fc.constant(d), fc.nat({ max: d.budget_charges.length - 1 }))), ([d, exceeded]) => {
        const out = applyReservation(d, { ok: false, exceeded }, BUDGETS);
        const over = d.budget_charges[exceeded]!.name;
        const rule_id = BUDGETS.find((b) => b.name === over)?.rule_id ?? BUILTIN_RULE_IDS.unknown_agent;
        expect(out).toEqual({
          ...d, outcome: "deny", allow: false, reason: "budget_exceeded", rule_id,
          deny_reasons: [{ reason: "budget_exceeded", rule_id }], redactions: { headers: [], query: [], params: [] },
        });
      }),
      { numRuns: 500 },
    );
  });
});

describe("budgetRemaining", () => {
  it("names what is left of each charged budget, in charge order", () => {
    fc.assert(
      fc.property(charged, (d) => {
        const remaining = d.budget_charges.map((c) => c.limit - c.cost);
        const out = budgetRemaining(d.budget_charges, { ok: true, remaining });
        for (const [i, c] of d.budget_charges.entries()) if (d.budget_charges.findLastIndex((x) => x.name === c.name) === i) expect(out[c.name]).toBe(remaining[i]);
      }),
      { numRuns: 300 },
    );
  });
});
