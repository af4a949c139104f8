// MCP answers as CheckResponses (SPEC §7). A refused tools/call is HTTP 200 with a tool result
// (isError), so a stock client's callTool resolves and the model reads one sentence of why and
// what next; anything else refused is a JSON-RPC error object. Envoy hands a denied_response
// body and status to the client unchanged.
import type { Decision } from "../../decision/types.ts";
import type { CheckResponse, Struct } from "../../grpc/ext-authz-types.ts";
import type { McpFailure, McpRequest } from "../../input/mcp.ts";
import { JSON_RPC_CODE, jsonRpcError, type RefusalFields, toolErrorResult } from "../../mcp/mcp-answers.ts";
import { approvalSentence, refusalSentence } from "../../mcp/refusal-text.ts";
import { RESOURCE_READ_ACTION, PROMPT_GET_ACTION } from "../../policy/mcp-methods.ts";
import { deniedResponse, RPC_CODE } from "./http-responses.ts";

export interface McpRefusal {
  readonly decision: Decision;
  readonly mcp: McpRequest;
  /** The SPEC §5 body fields: error, reason, rule_id, decision_id (approval_id, expires_at). */
  readonly fields: RefusalFields;
  readonly dynamicMetadata: Struct;
}

export function mcpDenyResponse({ decision, mcp, fields, dynamicMetadata }: McpRefusal): CheckResponse {
  const text = refusalSentence(subject(mcp), decision.reason);
  return mcpRefusalResponse(mcp, text, fields, decision.decision_id, decision.reason, dynamicMetadata);
}

export function mcpApprovalResponse(refusal: McpRefusal, redeemByIdentity: boolean): CheckResponse {
  const { decision, mcp, fields, dynamicMetadata } = refusal;
  const id = typeof fields["approval_id"] === "string" ? fields["approval_id"] : null;
  const expires = typeof fields["expires_at"] === "string" ? fields["expires_at"] : null;
  const text = approvalSentence(subject(mcp), id, expires, redeemByIdentity);
  return mcpRefusalResponse(mcp, text, fields, decision.decision_id, "approval_needed", dynamicMetadata);
}

/** An MCP request that could not be judged: invalid params of a request (-32602, HTTP 200), else -32600 with HTTP 400. */
export function mcpInvalidResponse(failure: McpFailure, reason: string, fields: RefusalFields, decisionId: string, dynamicMetadata: Struct): CheckResponse {
  const asParams = failure.argumentsProblem && failure.id !== null;
  const body = asParams
    ? jsonRpcError(failure.id, JSON_RPC_CODE.invalidParams, `Invalid params: ${reason}`, fields)
    : jsonRpcError(failure.id, JSON_RPC_CODE.invalidRequest, `Invalid request: ${reason}`, fields);
  return deniedResponse({ httpStatus: asParams ? "OK" : "BadRequest", rpcCode: RPC_CODE.INVALID_ARGUMENT, message: "invalid_request", decisionId, body, dynamicMetadata });
}

function mcpRefusalResponse(mcp: McpRequest, text: string, fields: RefusalFields, decisionId: string, message: string, dynamicMetadata: Struct): CheckResponse {
  const toolCall = mcp.method === "tools/call" && mcp.id !== null;
  return deniedResponse({
    httpStatus: toolCall ? "OK" : "Forbidden",
    rpcCode: RPC_CODE.PERMISSION_DENIED,
    message,
    decisionId,
    body: toolCall ? toolErrorResult(mcp.id!, text, fields) : jsonRpcError(mcp.id, JSON_RPC_CODE.policyDenied, text, fields),
    dynamicMetadata,
  });
}

/** What the sentence says was refused. */
function subject(mcp: McpRequest): string {
  if (mcp.action === RESOURCE_READ_ACTION) return `reading the resource ${mcp.name ?? ""}`.trimEnd();
  if (mcp.action === PROMPT_GET_ACTION) return `the prompt ${mcp.name ?? ""}`.trimEnd();
  if (mcp.action !== null) return `the call to the tool ${mcp.action}`;
  return `the MCP request ${mcp.method}`;
}
