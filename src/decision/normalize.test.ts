import fc from "fast-check";
import { describe, expect, it } from "vitest";
import cases from "./testdata/normalize-cases.json" with { type: "json" };
import { isAegisError } from "../errors/registry.ts";
import { normalizeDecision } from "./normalize.ts";
import { DENY_REASONS, NON_DENY_REASONS, OUTCOMES } from "./types.ts";

const ctx = { decisionId: "d-1", policyVersion: "rev-1" };

describe("normalizeDecision accepts well-formed Rego results", () => {
  it.each(cases.accepted)("$name", ({ raw, expect: expected }) => {
    const decision = normalizeDecision(raw, ctx);
    expect(decision).toMatchObject(expected);
    expect(decision.decision_id).toBe("d-1");
    expect(decision.policy_version).toBe("rev-1");
  });
});

describe("normalizeDecision fails closed on anything else", () => {
  it.each(cases.rejected)("$name", ({ raw }) => {
    expect(() => normalizeDecision(raw, ctx)).toThrow(expect.objectContaining({ code: "AEGIS_ERR_DECISION_MALFORMED" }));
  });
});

describe("normalizeDecision fuzzing", () => {
  it("never throws anything but AEGIS_ERR_DECISION_MALFORMED, whatever the value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (raw) => {
        try {
          normalizeDecision(raw, ctx);
        } catch (err) {
          if (!isAegisError(err, "AEGIS_ERR_DECISION_MALFORMED")) throw err;
        }
      }),
      { numRuns: 5000 },
    );
  });

  const wellFormed = fc.oneof(
    fc.record({ outcome: fc.constant("deny"), reason: fc.constantFrom(...DENY_REASONS) }),
    fc.record({ outcome: fc.constantFrom("allow"), reason: fc.constantFrom("within_limit", "allowed") }),
    fc.record({ outcome: fc.constant("sanitize"), reason: fc.constant("sanitized") }),
  ).chain((head) =>
    fc.record({
      outcome: fc.constant(head.outcome),
      reason: fc.constant(head.reason),
      rule_id: fc.string(),
      mode: fc.constantFrom("enforce", "shadow"),
      deny_reasons: fc.array(fc.record({ reason: fc.constantFrom(...DENY_REASONS), rule_id: fc.string() })),
      redactions: fc.record({ headers: fc.array(fc.string()), query: fc.array(fc.string()), params: fc.array(fc.string()) }),
    }),
  );

  it("keeps outcome, reason, rule id and mode of every well-formed result, and allow matches the outcome", () => {
    fc.assert(
      fc.property(wellFormed, (raw) => {
        const d = normalizeDecision(raw, ctx);
        expect([d.outcome, d.reason, d.rule_id, d.mode]).toEqual([raw.outcome, raw.reason, raw.rule_id, raw.mode]);
        expect(d.allow).toBe(raw.outcome === "allow" || raw.outcome === "sanitize");
        expect(OUTCOMES).toContain(d.outcome);
        expect([...DENY_REASONS, ...NON_DENY_REASONS]).toContain(d.reason);
      }),
      { numRuns: 2000 },
    );
  });
});
