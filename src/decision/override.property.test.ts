// For any decision and any redemption result, applyOverride changes only an approval_needed
// decision, and only into the one allow or the one token deny the contract names.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decision } from "../../test/support/decision-arbitrary.ts";
import type { TokenRedemption } from "../state/token-store.ts";
import { applyOverride } from "./override.ts";
import { BUILTIN_RULE_IDS, TOKEN_DENY_REASONS } from "./types.ts";

const redemption = fc.constantFrom<TokenRedemption>("redeemed", "unknown", "expired", "used", "mismatch");

describe("applyOverride, for any decision and redemption", () => {
  it("passes anything but approval_needed through untouched", () => {
    fc.assert(
      fc.property(decision.filter((d) => d.outcome !== "approval_needed"), redemption, (d, r) => {
        expect(applyOverride(d, r)).toBe(d);
      }),
      { numRuns: 500 },
    );
  });

  it("lets a redeemed approval_needed call through once as approved_override, keeping its charges", () => {
    fc.assert(
      fc.property(decision.filter((d) => d.outcome === "approval_needed"), (d) => {
        const out = applyOverride(d, "redeemed");
        expect(out).toEqual({ ...d, outcome: "allow", allow: true, reason: "approved_override", rule_id: BUILTIN_RULE_IDS.override_token, approval: null });
      }),
      { numRuns: 500 },
    );
  });

  it("denies a refused token with its problem as the reason, charging nothing and opening no approval", () => {
    fc.assert(
      fc.property(decision.filter((d) => d.outcome === "approval_needed"), redemption.filter((r) => r !== "redeemed"), (d, r) => {
        const out = applyOverride(d, r);
        expect(out).toMatchObject({ outcome: "deny", allow: false, reason: `override_token_${r}`, rule_id: BUILTIN_RULE_IDS.override_token, approval: null, budget_charges: [] });
        expect(TOKEN_DENY_REASONS).toContain(out.reason);
        expect(out.deny_reasons).toEqual([{ reason: out.reason, rule_id: BUILTIN_RULE_IDS.override_token }]);
        expect([out.decision_id, out.policy_version, out.mode]).toEqual([d.decision_id, d.policy_version, d.mode]);
      }),
      { numRuns: 500 },
    );
  });
});
