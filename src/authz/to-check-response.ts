// Decision → CheckResponse (SPEC §5). Pure: the caller has already recorded the decision,
// created any approval and read the budgets. Shadow mode changes only what Envoy is told,
// never the decision itself: the caller logs `decision` and reports `shadowedOutcome`.
import type { Decision, Outcome } from "../decision/types.ts";
import { BUILTIN_RULE_IDS } from "../decision/types.ts";
import type { CheckResponse, HeaderValueOption } from "../grpc/ext-authz-types.ts";
import { HEADER } from "../input/header-names.ts";
import { decodeQueryName } from "../input/query-string.ts";
import type { RequestFacts } from "../input/request-facts.ts";
import { CREDENTIAL_PARAM_NAMES } from "./mask-params.ts";
import { budgetRemainingHeader } from "./response/budget-header.ts";
import { type CallMetadata, decisionMetadata } from "./response/dynamic-metadata.ts";
import { EXT_PROC_HEADER } from "./ext-proc-needed.ts";
import { headerOption } from "./response/header-option.ts";
import { deniedResponse, okResponse, RPC_CODE } from "./response/http-responses.ts";
import { redactionMutations } from "./response/redaction-mutations.ts";
import { mcpApprovalResponse, mcpDenyResponse, mcpInvalidResponse } from "./response/mcp-responses.ts";
import type { McpFailure, McpRequest } from "../input/mcp.ts";

export type ShadowedOutcome = "would_deny" | "would_need_approval";

export interface PendingApproval {
  readonly approval_id: string;
  readonly expires_at: string;
  readonly queue_position?: number;
}

export interface ResponseContext {
  readonly request: Pick<RequestFacts, "rawQueryKeys" | "overrideToken" | "attestation">;
  /** aegis serve in global shadow mode: every tenant behaves as if `mode: shadow`. */
  readonly shadowGlobal: boolean;
  /** The approval recorded for an approval_needed decision. */
  readonly approval?: PendingApproval | null;
  /** Remaining amount per budget name, for x-aegis-budget-remaining. */
  readonly budgetRemaining?: Readonly<Record<string, number>>;
  /** The request to an MCP server: refusals become MCP answers (SPEC §7). */
  readonly mcp?: McpRequest | null;
  /** The agent's `approvals.redeem: identity`: the approval answer says to retry without a token. */
  readonly redeemByIdentity?: boolean;
  /** Who called what: forwarded in the dynamic metadata of allowed calls for the ext_proc stream. */
  readonly call?: Omit<CallMetadata, "shadow">;
}

export interface MappedResponse {
  readonly response: CheckResponse;
  /** What Envoy enforces: the decision's outcome, or allow when shadowed. */
  readonly effectiveOutcome: Outcome;
  readonly shadowedOutcome: ShadowedOutcome | null;
}

export function toCheckResponse(decision: Decision, context: ResponseContext): MappedResponse {
  const shadow = decision.mode === "shadow" || context.shadowGlobal;
  if (shadow || decision.outcome === "allow") {
    const shadowedOutcome = shadow ? shadowed(decision.outcome) : null;
    return { response: allowResponse(decision, context, "allow", shadowedOutcome), effectiveOutcome: "allow", shadowedOutcome };
  }
  switch (decision.outcome) {
    case "sanitize":
      return { response: allowResponse(decision, context, "sanitize", null), effectiveOutcome: "sanitize", shadowedOutcome: null };
    case "deny":
      return { response: denyResponse(decision, context.mcp ?? null), effectiveOutcome: "deny", shadowedOutcome: null };
    case "approval_needed":
      return { response: approvalResponse(decision, context.approval ?? null, context.mcp ?? null, context.redeemByIdentity ?? false), effectiveOutcome: "approval_needed", shadowedOutcome: null };
  }
}

/** The 400 for a CheckRequest that could not be mapped to a policy input (for MCP, a JSON-RPC error). */
export function invalidRequestResponse(decisionId: string, reason: string, policyVersion = "", mcp: McpFailure | null = null): CheckResponse {
  const body = { error: "invalid_request", reason, rule_id: BUILTIN_RULE_IDS.invalid_request, decision_id: decisionId };
  const dynamicMetadata = decisionMetadata({
    decision_id: decisionId,
    outcome: "deny",
    reason: "invalid_request",
    rule_id: BUILTIN_RULE_IDS.invalid_request,
    policy_version: policyVersion,
  });
  if (mcp !== null) return mcpInvalidResponse(mcp, reason, body, decisionId, dynamicMetadata);
  return deniedResponse({ httpStatus: "BadRequest", rpcCode: RPC_CODE.INVALID_ARGUMENT, message: "invalid_request", decisionId, body, dynamicMetadata });
}

function shadowed(outcome: Outcome): ShadowedOutcome | null {
  if (outcome === "deny") return "would_deny";
  if (outcome === "approval_needed") return "would_need_approval";
  return null;
}

function allowResponse(decision: Decision, context: ResponseContext, outcome: "allow" | "sanitize", shadowedOutcome: ShadowedOutcome | null): CheckResponse {
  const shadow = decision.mode === "shadow" || context.shadowGlobal;
  const headers: HeaderValueOption[] = [
    headerOption(HEADER.decisionId, decision.decision_id),
    headerOption(HEADER.policyVersion, decision.policy_version),
  ];
  // Set on every allowed call the Check handler maps (it always names the call), over anything the
  // agent sent: the sidecar skips ext_proc on "skip" and reads only the response on "response".
  if (context.call !== undefined) {
    headers.push(headerOption(EXT_PROC_HEADER, shadow ? "skip" : context.call.ext_proc));
  }
  const budget = context.budgetRemaining === undefined ? null : budgetRemainingHeader(context.budgetRemaining);
  if (budget !== null) headers.push(headerOption(HEADER.budgetRemaining, budget));

  const mutations = outcome === "sanitize" ? redactionMutations(decision.redactions, context.request.rawQueryKeys) : null;
  // Aegis consumes its own credentials; the upstream has no use for them and might log them.
  const headersToRemove = mutations === null ? [] : [...mutations.headersToRemove];
  if (context.request.overrideToken !== null && !headersToRemove.includes(HEADER.overrideToken)) headersToRemove.push(HEADER.overrideToken);
  if (context.request.attestation !== null && !headersToRemove.includes(HEADER.attestation)) headersToRemove.push(HEADER.attestation);
  const removedQuery = credentialQueryKeys(context.request.rawQueryKeys);
  const toSet = mutations?.queryParametersToSet ?? [];
  return okResponse({
    headers,
    headersToRemove,
    queryParametersToSet: removedQuery.length === 0 ? toSet : toSet.filter((q) => !removedQuery.includes(q.key)),
    queryParametersToRemove: removedQuery,
    dynamicMetadata: decisionMetadata({
      ...metadataBase(decision), outcome, shadowed_outcome: shadowedOutcome,
      ...(outcome === "sanitize" ? { redact_params: decision.redactions.params } : {}),
      ...(context.call === undefined ? {} : { call: { ...context.call, shadow } }),
    }),
  });
}

/**
 * Query names (as written) that carry an Aegis credential: an override token is honoured only as
 * a header, but one put in the query string, in any letter case or encoding, still never reaches
 * the upstream, which might log its URLs.
 */
function credentialQueryKeys(rawQueryKeys: readonly string[]): string[] {
  if (rawQueryKeys.length === 0) return [];
  return rawQueryKeys.filter((raw) => CREDENTIAL_PARAM_NAMES.includes(decodeQueryName(raw).toLowerCase()));
}

function denyResponse(decision: Decision, mcp: McpRequest | null): CheckResponse {
  const body = { error: "PolicyViolation", reason: decision.reason, rule_id: decision.rule_id, decision_id: decision.decision_id };
  const dynamicMetadata = decisionMetadata({ ...metadataBase(decision), outcome: "deny" });
  if (mcp !== null) return mcpDenyResponse({ decision, mcp, fields: body, dynamicMetadata });
  return deniedResponse({
    httpStatus: "Forbidden",
    rpcCode: RPC_CODE.PERMISSION_DENIED,
    message: decision.reason,
    decisionId: decision.decision_id,
    body,
    dynamicMetadata,
  });
}

function approvalResponse(decision: Decision, approval: PendingApproval | null, mcp: McpRequest | null, redeemByIdentity: boolean): CheckResponse {
  // Without a recorded approval there is nothing to wait for; the call is still refused.
  const body: Record<string, unknown> = {
    error: "approval_pending",
    approval_id: approval?.approval_id ?? null,
    reason: "approval_needed",
    decision_id: decision.decision_id,
    expires_at: approval?.expires_at ?? null,
  };
  if (approval?.queue_position !== undefined) body["queue_position"] = approval.queue_position;
  const dynamicMetadata = decisionMetadata({ ...metadataBase(decision), outcome: "approval_needed" });
  if (mcp !== null) return mcpApprovalResponse({ decision, mcp, fields: body, dynamicMetadata }, redeemByIdentity);
  return deniedResponse({
    httpStatus: "Forbidden",
    rpcCode: RPC_CODE.PERMISSION_DENIED,
    message: "approval_needed",
    decisionId: decision.decision_id,
    body,
    dynamicMetadata,
  });
}

function metadataBase(decision: Decision) {
  return { decision_id: decision.decision_id, reason: decision.reason, rule_id: decision.rule_id, policy_version: decision.policy_version };
}
