// MCP answers (SPEC §7) as Envoy applies them: status, headers and the JSON-RPC body, checked
// through the real proto encode → decode so a field Envoy would drop fails here.
import { describe, expect, it } from "vitest";
import type { Decision } from "../../decision/types.ts";
import type { CheckResponse } from "../../grpc/ext-authz-types.ts";
import { loadProtos } from "../../grpc/load-protos.ts";
import type { McpRequest } from "../../input/mcp.ts";
import { invalidRequestResponse, toCheckResponse } from "../to-check-response.ts";

const check = loadProtos().authorization["Check"]!;
type Denied = Extract<CheckResponse, { http_response: "denied_response" }>;
const roundTrip = (r: CheckResponse) => check.responseDeserialize(check.responseSerialize(r)) as Denied;
const body = (r: CheckResponse) => JSON.parse(roundTrip(r).denied_response.body) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const status = (r: CheckResponse) => roundTrip(r).denied_response.status!.code;

const denied: Decision = {
  decision_id: "d-1", outcome: "deny", allow: false, reason: "blocked_over_hard_limit", rule_id: "acme/a/allowed_tools/pay/actions/create_payment/conditions/hard_limit",
  policy_version: "rev", deny_reasons: [{ reason: "blocked_over_hard_limit", rule_id: "acme/a/allowed_tools/pay/actions/create_payment/conditions/hard_limit" }],
  mode: "enforce", redactions: { headers: [], query: [], params: [] }, approval: null, budget_charges: [],
};
const pending: Decision = { ...denied, outcome: "approval_needed", reason: "approval_needed", deny_reasons: [], approval: { amount: 300, threshold: 200, hard_limit: 5000 } };
const toolCall: McpRequest = { method: "tools/call", action: "create_payment", params: { amount: 9000 }, name: "create_payment", id: "req-7", overrideToken: null };
const request = { rawQueryKeys: [], overrideToken: null, attestation: null };

describe("MCP answers", () => {
  it("answers a denied tools/call with HTTP 200 and a tool error carrying the request id, one sentence and the fields", () => {
    const { response } = toCheckResponse(denied, { request, shadowGlobal: false, mcp: toolCall });
    expect(status(response)).toBe("OK");
    expect(roundTrip(response).denied_response.headers.map((h) => [h.header!.key, h.header!.value])).toContainEqual(["content-type", "application/json"]);
    const b = body(response);
    expect(b).toMatchObject({ jsonrpc: "2.0", id: "req-7", result: { isError: true } });
    expect(b.result.structuredContent).toEqual({ error: "PolicyViolation", reason: "blocked_over_hard_limit", rule_id: denied.rule_id, decision_id: "d-1" });
    expect(b.result.content).toEqual([{ type: "text", text: expect.stringMatching(/^Aegis refused the call to the tool create_payment: its amount is over the hard limit \(blocked_over_hard_limit\); .+\.$/) }]);
  });

  it("says which approval to wait for, until when, and how to retry", () => {
    const approval = { approval_id: "ap-1", expires_at: "2026-12-01T10:00:00.000Z" };
    const token = body(toCheckResponse(pending, { request, shadowGlobal: false, mcp: toolCall, approval }).response);
    expect(token.result.structuredContent).toMatchObject({ error: "approval_pending", reason: "approval_needed", approval_id: "ap-1", expires_at: approval.expires_at, decision_id: "d-1" });
    expect(token.result.content[0].text).toBe(
      'Aegis held the call to the tool create_payment for a human: wait until approval ap-1 is granted (it expires at 2026-12-01T10:00:00.000Z), then retry the identical call with the override token from the approval in params._meta["aegis/override_token"].',
    );
    const identity = body(toCheckResponse(pending, { request, shadowGlobal: false, mcp: toolCall, approval, redeemByIdentity: true }).response);
    expect(identity.result.content[0].text).toMatch(/then retry the identical call\.$/);
  });

  it("answers other refused MCP requests with 403 and a JSON-RPC error, id null for notifications", () => {
    const list: McpRequest = { method: "resources/list", action: null, params: {}, name: null, id: 4, overrideToken: null };
    const r = toCheckResponse({ ...denied, reason: "action_not_allowed" }, { request, shadowGlobal: false, mcp: list }).response;
    expect(status(r)).toBe("Forbidden");
    expect(body(r)).toMatchObject({ jsonrpc: "2.0", id: 4, error: { code: -32001, message: expect.stringContaining("the MCP request resources/list"), data: { reason: "action_not_allowed" } } });
    const note = toCheckResponse(denied, { request, shadowGlobal: false, mcp: { ...list, method: "notifications/x", id: null } }).response;
    expect(body(note).id).toBeNull();
  });

  it("answers invalid arguments of a request with -32602 (HTTP 200), anything else invalid with -32600 (HTTP 400)", () => {
    const params = invalidRequestResponse("d-2", "names collide", "rev", { id: 9, method: "tools/call", argumentsProblem: true });
    expect(status(params)).toBe("OK");
    expect(body(params)).toMatchObject({ id: 9, error: { code: -32602, data: { error: "invalid_request", reason: "names collide", decision_id: "d-2" } } });
    const envelope = invalidRequestResponse("d-3", "Mcp-Name header mismatch", "rev", { id: 9, method: "tools/call", argumentsProblem: false });
    expect(status(envelope)).toBe("BadRequest");
    expect(body(envelope)).toMatchObject({ id: 9, error: { code: -32600 } });
    const notification = invalidRequestResponse("d-4", "bad", "rev", { id: null, method: null, argumentsProblem: true });
    expect(status(notification)).toBe("BadRequest");
  });

  it("keeps plain answers for requests that are not MCP", () => {
    expect(body(toCheckResponse(denied, { request, shadowGlobal: false }).response)).toEqual({ error: "PolicyViolation", reason: "blocked_over_hard_limit", rule_id: denied.rule_id, decision_id: "d-1" });
  });

  it("lets a shadowed MCP refusal through like any other", () => {
    expect(toCheckResponse({ ...denied, mode: "shadow" }, { request, shadowGlobal: false, mcp: toolCall }).response.http_response).toBe("ok_response");
  });
});
