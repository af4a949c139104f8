import { describe, expect, it } from "vitest";
import { invalidRequestResponse, toCheckResponse, type ResponseContext } from "../authz/to-check-response.ts";
import type { Decision } from "../decision/types.ts";
import { isAegisError } from "../errors/registry.ts";
import type { CheckResponse } from "../grpc/ext-authz-types.ts";
import { loadProtos } from "../grpc/load-protos.ts";
import { toStructValue } from "../grpc/struct.ts";
import { parseBudgetHeader, parseCheckResponse, REDACT_PARAMS_KEY, setQueryParameters } from "./parse-check-response.ts";
import type { CheckCall } from "./types.ts";

const check = loadProtos().authorization["Check"]!;

/** What the SDK receives: the server's response after a real protobuf encode/decode. */
function overTheWire(response: CheckResponse): CheckResponse {
  return check.responseDeserialize(check.responseSerialize(response) as Buffer) as CheckResponse;
}

const base: Decision = {
  decision_id: "d-1", outcome: "allow", allow: true, reason: "within_limit", rule_id: "acme/fa/allowed_tools/pay/conditions/approval_threshold",
  policy_version: "rev-9", deny_reasons: [], mode: "enforce", redactions: { headers: [], query: [], params: [] }, approval: null, budget_charges: [],
};
const sanitize: Decision = {
  ...base, outcome: "sanitize", reason: "sanitized", rule_id: "acme/da/allowed_tools/docs/sanitize",
  redactions: { headers: ["x-api-key"], query: ["token"], params: ["ssn"] },
};
const call: CheckCall = {
  tool: "docs", action: "read", host: "wiki.docs.acme.internal", path: "/docs/a?token=s3cret&page=2",
  headers: { "X-Api-Key": "k", Accept: "text/plain" }, params: { id: "a", ssn: "123", nested: [{ ssn: "456" }] },
};
const context = (rawQueryKeys: string[]): ResponseContext => ({ request: { rawQueryKeys, overrideToken: null, attestation: null }, shadowGlobal: false });

describe("parseCheckResponse", () => {
  it("reads an allow: decision fields from the metadata, the budget header, params untouched", () => {
    const response = toCheckResponse(base, { ...context([]), budgetRemaining: { "daily-spend": 19880 } }).response;
    const result = parseCheckResponse(overTheWire(response), { tool: "pay", action: "create", host: "h", params: { amount: 120 } });
    expect(result).toEqual({
      outcome: "allow", allowed: true, reason: "within_limit", ruleId: base.rule_id, decisionId: "d-1", policyVersion: "rev-9", shadowedOutcome: null,
      sanitizedParams: { amount: 120 }, redactedParams: [], sanitizedHeaders: {}, sanitizedPath: "/", budgetRemaining: { "daily-spend": 19880 },
    });
  });

  it("applies a sanitize answer to the call's headers and query, and marks params unknown when the server names none", () => {
    // An older server: its sanitize answer carries no redact_params.
    const current = toCheckResponse(sanitize, context(["token", "page"])).response;
    const { [REDACT_PARAMS_KEY]: _named, ...older } = current.dynamic_metadata!.fields;
    const response: CheckResponse = { ...current, dynamic_metadata: { fields: older } };
    const result = parseCheckResponse(overTheWire(response), call);
    expect(result).toMatchObject({ outcome: "sanitize", allowed: true, reason: "sanitized", redactedParams: null });
    expect(result.sanitizedHeaders).toEqual({ accept: "text/plain" });
    expect(result.sanitizedPath).toBe("/docs/a?token=%5BREDACTED%5D&page=2");
    expect(result.sanitizedParams).toEqual(call.params);
  });

  it(`masks the params the server names in dynamic metadata ${REDACT_PARAMS_KEY}, at any depth`, () => {
    const response = toCheckResponse(sanitize, context(["token", "page"])).response;
    const result = parseCheckResponse(overTheWire(response), call);
    expect(result.redactedParams).toEqual(["ssn"]);
    expect(result.sanitizedParams).toEqual({ id: "a", ssn: "[REDACTED]", nested: [{ ssn: "[REDACTED]" }] });
  });

  it("lets a caller that knows the redactions (embedded mode) supply them", () => {
    const response = toCheckResponse(sanitize, context([])).response;
    const result = parseCheckResponse(response, call, { redactedParams: ["ssn"] });
    expect(result.sanitizedParams["ssn"]).toBe("[REDACTED]");
  });

  it("reads a deny from the 403 body and metadata", () => {
    const deny: Decision = { ...base, outcome: "deny", allow: false, reason: "egress_denied", rule_id: "acme/egress_allowlist" };
    const result = parseCheckResponse(overTheWire(toCheckResponse(deny, context([])).response), call);
    expect(result).toMatchObject({ outcome: "deny", allowed: false, reason: "egress_denied", ruleId: "acme/egress_allowlist", decisionId: "d-1", policyVersion: "rev-9" });
    expect(result.approval).toBeUndefined();
    expect(result.sanitizedHeaders).toEqual({ "x-api-key": "k", accept: "text/plain" });
  });

  it("reads the approval id, expiry and queue position of an approval_needed", () => {
    const needed: Decision = { ...base, outcome: "approval_needed", allow: false, reason: "approval_needed", approval: { amount: 7000, threshold: 5000, hard_limit: 50000 } };
    const approval = { approval_id: "apr-1", expires_at: "2030-01-01T00:00:00.000Z", queue_position: 2 };
    const result = parseCheckResponse(overTheWire(toCheckResponse(needed, { ...context([]), approval }).response), call);
    expect(result).toMatchObject({ outcome: "approval_needed", allowed: false, reason: "approval_needed", approval: { approvalId: "apr-1", expiresAt: approval.expires_at, queuePosition: 2 } });
  });

  it("has no approval when none was recorded (embedded mode)", () => {
    const needed: Decision = { ...base, outcome: "approval_needed", allow: false, reason: "approval_needed" };
    const result = parseCheckResponse(toCheckResponse(needed, { ...context([]), approval: null }).response, call);
    expect(result.outcome).toBe("approval_needed");
    expect(result.approval).toBeUndefined();
  });

  it("reports a shadowed deny as an allow with shadowedOutcome", () => {
    const deny: Decision = { ...base, outcome: "deny", allow: false, reason: "egress_denied", mode: "shadow" };
    const result = parseCheckResponse(overTheWire(toCheckResponse(deny, context([])).response), call);
    expect(result).toMatchObject({ outcome: "allow", allowed: true, reason: "egress_denied", shadowedOutcome: "would_deny" });
  });

  it("keeps invalid_request as the reason and the server's explanation as detail", () => {
    const result = parseCheckResponse(overTheWire(invalidRequestResponse("d-2", "request body is not valid JSON", "rev-9")), call);
    expect(result).toMatchObject({ outcome: "deny", reason: "invalid_request", ruleId: "aegis/invalid_request", decisionId: "d-2", detail: "request body is not valid JSON" });
  });

  it.each<[string, CheckResponse]>([
    ["an unknown outcome", withOutcome(toCheckResponse(base, context([])).response, "maybe")],
    ["an ok_response claiming deny", withOutcome(toCheckResponse(base, context([])).response, "deny")],
    ["a denied body that is not JSON", { status: null, dynamic_metadata: null, http_response: "denied_response", denied_response: { status: { code: "Forbidden" }, headers: [], body: "nope" } }],
    ["a response without a decision id", { status: null, dynamic_metadata: null, http_response: "denied_response", denied_response: { status: { code: "Forbidden" }, headers: [], body: "{}" } }],
  ])("refuses %s with AEGIS_ERR_SDK_CHECK", (_name, response) => {
    let thrown: unknown;
    try {
      parseCheckResponse(response, call);
    } catch (err) {
      thrown = err;
    }
    expect(isAegisError(thrown, "AEGIS_ERR_SDK_CHECK")).toBe(true);
  });
});

function withOutcome(response: CheckResponse, outcome: string): CheckResponse {
  return { ...response, dynamic_metadata: { fields: { ...response.dynamic_metadata!.fields, outcome: toStructValue(outcome) } } };
}

describe("parseBudgetHeader", () => {
  it.each<[string, Record<string, number>]>([
    ["daily-spend=19880", { "daily-spend": 19880 }],
    ["a=1, b%20c=2.5", { a: 1, "b c": 2.5 }],
    ["a=x, b=3, junk", { b: 3 }],
  ])("%s", (header, expected) => expect(parseBudgetHeader(header)).toEqual(expected));
});

describe("setQueryParameters", () => {
  const redact = [{ key: "token", value: "%5BREDACTED%5D" }];
  it.each<[string, string]>([
    ["/a?token=1&token=2&x=3", "/a?token=%5BREDACTED%5D&token=%5BREDACTED%5D&x=3"],
    ["/a?x=1#token=frag", "/a?x=1#token=frag"],
    ["/a?token#f", "/a?token=%5BREDACTED%5D#f"],
    ["/a", "/a"],
  ])("%s → %s", (path, expected) => expect(setQueryParameters(path, redact)).toBe(expected));

  it.each<[string, string]>([
    ["/a?x-aegis-override-token=t&x=1", "/a?x=1"],
    ["/a?x-aegis-override-token=t", "/a"],
    ["/a?token=1&x-aegis-override-token=t#f", "/a?token=%5BREDACTED%5D#f"],
  ])("drops query_parameters_to_remove: %s → %s", (path, expected) => expect(setQueryParameters(path, redact, ["x-aegis-override-token"])).toBe(expected));
});
