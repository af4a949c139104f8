// The one sentence an LLM reads when Aegis refuses a tools/call: what was refused, why, and what
// to do next. Plain words for each reason; the machine-readable fields travel beside it in
// structuredContent.

const WHY: Readonly<Record<string, string>> = {
  unknown_agent: "this agent has no policy",
  call_chain_violation: "the calling agent may not call it on this agent's behalf",
  egress_denied: "its host is not on the allowlist",
  tool_not_allowed: "this agent may not use this MCP server",
  action_not_allowed: "this agent may not use this tool",
  param_not_allowed: "an argument breaks the policy's rules for it",
  outside_schedule: "the policy does not allow it at this time",
  invalid_amount: "its amount is missing or is not a non-negative number",
  blocked_over_hard_limit: "its amount is over the hard limit",
  budget_exceeded: "it would exceed the agent's budget",
  body_truncated: "the request body did not arrive whole",
  override_token_used: "the override token was already used once",
  override_token_expired: "the override token has expired",
  override_token_mismatch: "the override token was approved for a different call",
  override_token_unknown: "the override token is not one Aegis issued",
};

const NEXT: Readonly<Record<string, string>> = {
  budget_exceeded: "wait for the budget window to pass or ask a human",
  outside_schedule: "try again when the schedule allows it or ask a human",
  invalid_amount: "send a valid amount",
  param_not_allowed: "change the arguments to what the policy allows",
  body_truncated: "send a smaller request",
  override_token_used: "do not repeat the call; to make it again, send it without the token so a new approval is requested",
  override_token_expired: "send the call without the token to request a new approval",
  override_token_mismatch: "send exactly the approved call, or this one without the token to request its own approval",
  override_token_unknown: "send the call without the token to request an approval",
};

/** "Aegis refused <what>: <why> (<reason>); <next>." */
export function refusalSentence(what: string, reason: string): string {
  const why = WHY[reason] ?? (reason.startsWith("custom:") ? "a rule of the tenant's own policy forbids it" : "the policy forbids it");
  const next = NEXT[reason] ?? "do not retry it unchanged; ask a human if it is needed";
  return `Aegis refused ${what}: ${why} (${reason}); ${next}.`;
}

/** The sentence for a call that waits for a human. */
export function approvalSentence(what: string, approvalId: string | null, expiresAt: string | null, redeemByIdentity: boolean): string {
  if (approvalId === null) return `Aegis refused ${what}: it needs a human approval, and none could be requested; ask a human.`;
  const retry = redeemByIdentity
    ? "then retry the identical call"
    : `then retry the identical call with the override token from the approval in params._meta["aegis/override_token"]`;
  return `Aegis held ${what} for a human: wait until approval ${approvalId} is granted (it expires at ${expiresAt ?? "an unknown time"}), ${retry}.`;
}
