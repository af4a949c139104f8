// Override tokens in the decision: what an approval_needed call becomes once the host has tried
// to redeem its token (or its identical approved call). Pure; the host redeems atomically first.
import type { TokenRedemption } from "../state/token-store.ts";
import { BUILTIN_RULE_IDS, type Decision } from "./types.ts";

/**
 * The approval_needed decision after a redemption: a redeemed token lets the call through once
 * (approved_override); a refused one denies it with the token's problem as the reason, so a
 * spent, expired or foreign token never silently opens a new approval. Any other decision is
 * the policy's own answer and passes untouched.
 */
export function applyOverride(decision: Decision, redemption: TokenRedemption): Decision {
  if (decision.outcome !== "approval_needed") return decision;
  const rule_id = BUILTIN_RULE_IDS.override_token;
  if (redemption === "redeemed") return { ...decision, outcome: "allow", allow: true, reason: "approved_override", rule_id, approval: null };
  const reason = `override_token_${redemption}` as const;
  return { ...decision, outcome: "deny", allow: false, reason, rule_id, approval: null, deny_reasons: [{ reason, rule_id }], budget_charges: [] };
}
