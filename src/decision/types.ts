// The one place outcomes and reasons are defined (see docs/contracts.md §3).

export const OUTCOMES = ["allow", "deny", "sanitize", "approval_needed"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Deny reasons in reporting precedence: when several apply, the first is reported. */
export const DENY_REASONS = [
  "invalid_request",
  "body_truncated",
  "unknown_agent",
  "call_chain_violation",
  "egress_denied",
  "tool_not_allowed",
  "action_not_allowed",
  "param_not_allowed",
  "outside_schedule",
  "invalid_amount",
  "blocked_over_hard_limit",
  "budget_exceeded",
] as const;
/** A custom Rego module's own deny reason (policies/aegis/custom.rego): reported after every built-in one. */
export type CustomDenyReason = `custom:${string}`;
export type DenyReason = (typeof DENY_REASONS)[number] | CustomDenyReason;

/** The names policies/aegis/custom.rego lets through; anything else it reports as custom:invalid_reason. */
const CUSTOM_REASON = /^custom:[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function isDenyReason(reason: string): reason is DenyReason {
  return (DENY_REASONS as readonly string[]).includes(reason) || CUSTOM_REASON.test(reason);
}

// approved_override: an approval_needed call let through once by its redeemed override token
// (decided by the host, never by Rego; rule id aegis/override_token).
export const NON_DENY_REASONS = ["within_limit", "allowed", "sanitized", "approval_needed", "approved_override"] as const;
// A refused override token on a call that needs approval: the host denies it with the token's
// problem as the reason (rule id aegis/override_token), so a spent token never silently opens a
// new approval.
export const TOKEN_DENY_REASONS = ["override_token_used", "override_token_expired", "override_token_mismatch", "override_token_unknown"] as const;
export type TokenDenyReason = (typeof TOKEN_DENY_REASONS)[number];
export type Reason = DenyReason | TokenDenyReason | (typeof NON_DENY_REASONS)[number];

export type Mode = "enforce" | "shadow";

export interface Redactions {
  readonly headers: readonly string[];
  readonly query: readonly string[];
  readonly params: readonly string[];
}

export interface ApprovalInfo {
  readonly amount: number;
  readonly threshold: number;
  readonly hard_limit: number;
}

export interface BudgetCharge {
  readonly name: string;
  readonly cost: number;
  readonly limit: number;
  readonly window_seconds: number;
  readonly spent: number;
}

export interface Decision {
  readonly decision_id: string;
  readonly outcome: Outcome;
  readonly allow: boolean;
  readonly reason: Reason;
  readonly rule_id: string;
  readonly policy_version: string;
  readonly deny_reasons: readonly { readonly reason: DenyReason | TokenDenyReason; readonly rule_id: string }[];
  readonly mode: Mode;
  readonly redactions: Redactions;
  readonly approval: ApprovalInfo | null;
  readonly budget_charges: readonly BudgetCharge[];
}

export const BUILTIN_RULE_IDS = {
  invalid_request: "aegis/invalid_request",
  unknown_agent: "aegis/unknown_agent",
  override_token: "aegis/override_token",
} as const;
