import { BUILTIN_RULE_IDS, type Decision } from "./types.ts";

const NO_REDACTIONS = { headers: [], query: [], params: [] } as const;
const INVALID_REQUEST_DENY = [{ reason: "invalid_request", rule_id: BUILTIN_RULE_IDS.invalid_request }] as const;

/** The decision for a request that never reached the policy (it could not be mapped to an input): a deny, recorded like any other. */
export function invalidRequestDecision(decisionId: string, policyVersion: string): Decision {
  return {
    decision_id: decisionId, outcome: "deny", allow: false, reason: "invalid_request", rule_id: BUILTIN_RULE_IDS.invalid_request,
    policy_version: policyVersion, deny_reasons: INVALID_REQUEST_DENY, mode: "enforce", redactions: NO_REDACTIONS, approval: null, budget_charges: [],
  };
}
