// For any approval_needed decision and any standing approval, the allow it becomes and the
// bounds that decide whether it covers a call behave as the contract says.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decision } from "../../test/support/decision-arbitrary.ts";
import { applyStandingApproval, withinBounds } from "./standing-approval.ts";

describe("applyStandingApproval, for any approval_needed decision", () => {
  it("lets it through as approved_standing under the standing approval's id, changing nothing else but the approval details", () => {
    fc.assert(
      fc.property(decision.filter((d) => d.outcome === "approval_needed"), fc.string({ minLength: 1, maxLength: 12 }), (d, id) => {
        expect(applyStandingApproval(d, id)).toEqual({ ...d, outcome: "allow", allow: true, reason: "approved_standing", rule_id: id, approval: null });
      }),
      { numRuns: 300 },
    );
  });
});

describe("withinBounds, for any numeric bound and value", () => {
  it("holds exactly when the value, as a number or a plain decimal string, lies within min and max", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -2000, max: 2000 }), fc.boolean(), (a, b, value, asString) => {
        const [min, max] = a <= b ? [a, b] : [b, a];
        const within = value >= min && value <= max;
        expect(withinBounds([{ param: "amount", min, max }], { amount: asString ? String(value) : value })).toBe(within);
      }),
      { numRuns: 500 },
    );
  });

  it("fails a bounded parameter that is missing or not a number", () => {
    fc.assert(
      fc.property(fc.oneof(fc.constant(undefined), fc.boolean(), fc.constant(null), fc.string().filter((s) => !/^-?\d+(\.\d+)?$/.test(s))), (value) => {
        const params = value === undefined ? {} : { amount: value };
        expect(withinBounds([{ param: "amount", max: 10 }], params)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
