import { describe, expect, it } from "vitest";
import type { Decision } from "../decision/types.ts";
import type { CheckResponse } from "../grpc/ext-authz-types.ts";
import { loadProtos } from "../grpc/load-protos.ts";
import { fromStruct, type JsonValue } from "../grpc/struct.ts";
import { invalidRequestResponse, type ResponseContext, toCheckResponse } from "./to-check-response.ts";

const check = loadProtos().authorization["Check"]!;

const base: Decision = {
  decision_id: "d-123",
  outcome: "allow",
  allow: true,
  reason: "within_limit",
  rule_id: "acme/finance-agent/allowed_tools/stripe-payments/conditions/approval_threshold",
  policy_version: "rev-42",
  deny_reasons: [],
  mode: "enforce",
  redactions: { headers: [], query: [], params: [] },
  approval: null,
  budget_charges: [],
};
const deny: Decision = {
  ...base,
  outcome: "deny",
  allow: false,
  reason: "egress_denied",
  rule_id: "acme/egress_allowlist",
  deny_reasons: [{ reason: "egress_denied", rule_id: "acme/egress_allowlist" }],
};
const approval: Decision = {
  ...base,
  outcome: "approval_needed",
  allow: false,
  reason: "approval_needed",
  approval: { amount: 6000, threshold: 5000, hard_limit: 50000 },
};
const sanitize: Decision = {
  ...base,
  outcome: "sanitize",
  reason: "sanitized",
  rule_id: "acme/finance-agent/allowed_tools/stripe-payments/sanitize",
  redactions: { headers: ["X-Api-Key", "x-api-key"], query: ["token"], params: ["card_number"] },
};

const request: ResponseContext["request"] = { rawQueryKeys: ["expand"], overrideToken: null, attestation: null };
const pending = { approval_id: "apr-7", expires_at: "2026-03-01T13:00:00Z", queue_position: 3 };

/** The parts of a CheckResponse a reader cares about, with the Struct and body decoded. */
function summarize(response: CheckResponse) {
  const metadata = response.dynamic_metadata === null ? null : fromStruct(response.dynamic_metadata);
  if (response.http_response === "ok_response") {
    const ok = response.ok_response;
    return {
      rpc: response.status?.code,
      http: "ok",
      upstreamHeaders: Object.fromEntries(ok.headers.map((h) => [h.header!.key, h.header!.value])),
      headersToRemove: ok.headers_to_remove,
      querySet: ok.query_parameters_to_set.map((q) => `${q.key}=${q.value}`),
      metadata,
    };
  }
  const denied = response.denied_response;
  return {
    rpc: response.status?.code,
    http: denied.status?.code,
    downstreamHeaders: Object.fromEntries(denied.headers.map((h) => [h.header!.key, h.header!.value])),
    body: JSON.parse(denied.body) as JsonValue,
    metadata,
  };
}

const allowHeaders = { "x-aegis-decision-id": "d-123", "x-aegis-policy-version": "rev-42" };
const deniedHeaders = { "content-type": "application/json", "x-aegis-decision-id": "d-123" };
const meta = (decision: Decision, outcome: string, extra: Record<string, unknown> = {}) => ({
  decision_id: decision.decision_id,
  outcome,
  reason: decision.reason,
  rule_id: decision.rule_id,
  policy_version: decision.policy_version,
  ...extra,
});

interface Case {
  name: string;
  decision: Decision;
  context?: Partial<ResponseContext>;
  effective: string;
  shadowed: string | null;
  summary: ReturnType<typeof summarize>;
}

const cases: Case[] = [
  {
    name: "allow: ok_response with decision id, policy version and metadata",
    decision: base,
    effective: "allow",
    shadowed: null,
    summary: { rpc: 0, http: "ok", upstreamHeaders: allowHeaders, headersToRemove: [], querySet: [], metadata: meta(base, "allow") },
  },
  {
    name: "allow with budgets remaining",
    decision: base,
    context: { budgetRemaining: { weekly: 1, "daily-spend": 5000, "odd name": 2, broken: Number.NaN } },
    effective: "allow",
    shadowed: null,
    summary: {
      rpc: 0,
      http: "ok",
      upstreamHeaders: { ...allowHeaders, "x-aegis-budget-remaining": "daily-spend=5000, odd%20name=2, weekly=1" },
      headersToRemove: [],
      querySet: [],
      metadata: meta(base, "allow"),
    },
  },
  {
    name: "allow consumes the override token and attestation headers",
    decision: base,
    context: { request: { rawQueryKeys: [], overrideToken: "tok", attestation: "jws" } },
    effective: "allow",
    shadowed: null,
    summary: {
      rpc: 0,
      http: "ok",
      upstreamHeaders: allowHeaders,
      headersToRemove: ["x-aegis-override-token", "x-aegis-attestation"],
      querySet: [],
      metadata: meta(base, "allow"),
    },
  },
  {
    name: "sanitize: removes named headers, redacts every spelling of named query parameters",
    decision: sanitize,
    context: { request: { rawQueryKeys: ["token", "Token", "tok%65n", "expand", "tokens"], overrideToken: null, attestation: null } },
    effective: "sanitize",
    shadowed: null,
    summary: {
      rpc: 0,
      http: "ok",
      upstreamHeaders: allowHeaders,
      headersToRemove: ["x-api-key"],
      querySet: ["token=%5BREDACTED%5D", "Token=%5BREDACTED%5D", "tok%65n=%5BREDACTED%5D"],
      metadata: meta(sanitize, "sanitize", { redact_params: ["card_number"] }),
    },
  },
  {
    name: "sanitize: a named query parameter absent from the request is not added",
    decision: sanitize,
    effective: "sanitize",
    shadowed: null,
    summary: { rpc: 0, http: "ok", upstreamHeaders: allowHeaders, headersToRemove: ["x-api-key"], querySet: [], metadata: meta(sanitize, "sanitize", { redact_params: ["card_number"] }) },
  },
  {
    name: "deny: 403 PolicyViolation",
    decision: deny,
    effective: "deny",
    shadowed: null,
    summary: {
      rpc: 7,
      http: "Forbidden",
      downstreamHeaders: deniedHeaders,
      body: { error: "PolicyViolation", reason: "egress_denied", rule_id: "acme/egress_allowlist", decision_id: "d-123" },
      metadata: meta(deny, "deny"),
    },
  },
  {
    name: "approval_needed: 403 approval_pending with the approval",
    decision: approval,
    context: { approval: pending },
    effective: "approval_needed",
    shadowed: null,
    summary: {
      rpc: 7,
      http: "Forbidden",
      downstreamHeaders: deniedHeaders,
      body: { error: "approval_pending", approval_id: "apr-7", reason: "approval_needed", decision_id: "d-123", expires_at: "2026-03-01T13:00:00Z", queue_position: 3 },
      metadata: meta(approval, "approval_needed"),
    },
  },
  {
    name: "approval_needed without a recorded approval is still refused",
    decision: approval,
    effective: "approval_needed",
    shadowed: null,
    summary: {
      rpc: 7,
      http: "Forbidden",
      downstreamHeaders: deniedHeaders,
      body: { error: "approval_pending", approval_id: null, reason: "approval_needed", decision_id: "d-123", expires_at: null },
      metadata: meta(approval, "approval_needed"),
    },
  },
  {
    name: "shadow (policy mode): a deny is let through as would_deny",
    decision: { ...deny, mode: "shadow" },
    effective: "allow",
    shadowed: "would_deny",
    summary: { rpc: 0, http: "ok", upstreamHeaders: allowHeaders, headersToRemove: [], querySet: [], metadata: meta(deny, "allow", { shadowed_outcome: "would_deny" }) },
  },
  {
    name: "shadow (global): approval_needed is let through as would_need_approval",
    decision: approval,
    context: { shadowGlobal: true, approval: pending },
    effective: "allow",
    shadowed: "would_need_approval",
    summary: {
      rpc: 0,
      http: "ok",
      upstreamHeaders: allowHeaders,
      headersToRemove: [],
      querySet: [],
      metadata: meta(approval, "allow", { shadowed_outcome: "would_need_approval" }),
    },
  },
  {
    name: "shadow: sanitize changes nothing on the request",
    decision: { ...sanitize, mode: "shadow" },
    context: { request: { rawQueryKeys: ["token"], overrideToken: null, attestation: null } },
    effective: "allow",
    shadowed: null,
    summary: { rpc: 0, http: "ok", upstreamHeaders: allowHeaders, headersToRemove: [], querySet: [], metadata: meta(sanitize, "allow") },
  },
  {
    name: "shadow: allow stays allow",
    decision: { ...base, mode: "shadow" },
    effective: "allow",
    shadowed: null,
    summary: { rpc: 0, http: "ok", upstreamHeaders: allowHeaders, headersToRemove: [], querySet: [], metadata: meta(base, "allow") },
  },
  {
    name: "header values lose control characters Envoy would reject",
    decision: { ...base, policy_version: "rev\r\nx-injected: 1\u0000" },
    effective: "allow",
    shadowed: null,
    summary: {
      rpc: 0,
      http: "ok",
      upstreamHeaders: { ...allowHeaders, "x-aegis-policy-version": "revx-injected: 1" },
      headersToRemove: [],
      querySet: [],
      metadata: meta({ ...base, policy_version: "rev\r\nx-injected: 1\u0000" }, "allow"),
    },
  },
];

describe("toCheckResponse", () => {
  it.each(cases)("$name", ({ decision, context, effective, shadowed, summary }) => {
    const mapped = toCheckResponse(decision, { request, shadowGlobal: false, ...context });
    expect(mapped.effectiveOutcome).toBe(effective);
    expect(mapped.shadowedOutcome).toBe(shadowed);
    expect(summarize(mapped.response)).toEqual(summary);
    // What Envoy decodes is exactly what was built.
    expect(check.responseDeserialize(check.responseSerialize(mapped.response))).toEqual(mapped.response);
  });
});

describe("invalidRequestResponse", () => {
  it("answers 400 invalid_request with INVALID_ARGUMENT", () => {
    const response = invalidRequestResponse("d-9", "request body is not valid JSON");
    expect(summarize(response)).toEqual({
      rpc: 3,
      http: "BadRequest",
      downstreamHeaders: { "content-type": "application/json", "x-aegis-decision-id": "d-9" },
      body: { error: "invalid_request", reason: "request body is not valid JSON", rule_id: "aegis/invalid_request", decision_id: "d-9" },
      metadata: { decision_id: "d-9", outcome: "deny", reason: "invalid_request", rule_id: "aegis/invalid_request", policy_version: "" },
    });
    expect(check.responseDeserialize(check.responseSerialize(response))).toEqual(response);
  });
});

describe("an override token in the query string", () => {
  it.each<[string, Decision]>([["allow", base], ["sanitize", sanitize]])("is removed by its raw spelling before an %s goes upstream", (_outcome, decision) => {
    const rawQueryKeys = ["x-aegis-override-token", "X-Aegis-Override-Token", "x-aegis-override-tok%65n", "token", "expand"];
    const { response } = toCheckResponse(decision, { request: { rawQueryKeys, overrideToken: null, attestation: null }, shadowGlobal: false });
    if (response.http_response !== "ok_response") throw new Error("expected an ok_response");
    expect(response.ok_response.query_parameters_to_remove).toEqual(["x-aegis-override-token", "X-Aegis-Override-Token", "x-aegis-override-tok%65n"]);
    expect(response.ok_response.query_parameters_to_set.map((q) => q.key)).not.toContain("x-aegis-override-token");
  });
});

describe("x-aegis-ext-proc (the sidecar's cue to skip ext_proc)", () => {
  const call = { tenant: "acme", agent: "a", tool: "t", action: "x", mcp_method: null };
  const allowDecision = (): Decision => ({
    decision_id: "d", outcome: "allow", allow: true, reason: "allowed", rule_id: "r", policy_version: "v", deny_reasons: [], mode: "enforce",
    redactions: { headers: [], query: [], params: [] }, approval: null, budget_charges: [],
  });
  const header = (response: CheckResponse) => (response.http_response === "ok_response" ? response.ok_response.headers.find((h) => h.header?.key === "x-aegis-ext-proc")?.header?.value : undefined);
  const request = { rawQueryKeys: [], overrideToken: null, attestation: null };

  it("is run or response when ext_proc has work, skip otherwise, and skip in shadow mode whatever the work", () => {
    expect(header(toCheckResponse(allowDecision(), { request, shadowGlobal: false, call: { ...call, ext_proc: "run" } }).response)).toBe("run");
    expect(header(toCheckResponse(allowDecision(), { request, shadowGlobal: false, call: { ...call, ext_proc: "response" } }).response)).toBe("response");
    expect(header(toCheckResponse(allowDecision(), { request, shadowGlobal: false, call: { ...call, ext_proc: "skip" } }).response)).toBe("skip");
    expect(header(toCheckResponse(allowDecision(), { request, shadowGlobal: true, call: { ...call, ext_proc: "run" } }).response)).toBe("skip");
    expect(header(toCheckResponse(allowDecision(), { request, shadowGlobal: true, call: { ...call, ext_proc: "response" } }).response)).toBe("skip");
  });
});
