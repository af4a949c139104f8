// For any decision the policy can produce, the response Envoy gets is well formed, consistent
// with the decision, and never carries a value a sanitize rule names (nor Aegis's own tokens).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Decision, DENY_REASONS, type Reason } from "../decision/types.ts";
import type { CheckResponse, HeaderValueOption } from "../grpc/ext-authz-types.ts";
import { loadProtos } from "../grpc/load-protos.ts";
import { checkRequest } from "../../test/support/check-request-builder.ts";
import { readRequestFacts } from "../input/request-facts.ts";
import { decodeQueryName } from "../input/query-string.ts";
import { REDACTED_QUERY_VALUE } from "./response/redaction-mutations.ts";
import { invalidRequestResponse, toCheckResponse } from "./to-check-response.ts";

const check = loadProtos().authorization["Check"]!;
const MARK = "S3CRET";
const secret = fc.stringMatching(/^[a-f0-9]{12}$/).map((s) => `${MARK}-${s}`);
const noMark = (arb: fc.Arbitrary<string>) => arb.filter((s) => !s.includes(MARK));
const anyText = noMark(fc.string({ maxLength: 20, unit: "binary" }));

const headerNames = ["x-api-key", "X-Api-Key", "authorization", "x-secret", "cookie"];
const queryNames = ["token", "Token", "tok%65n", "api_key", "sig", "a+b"];

const decision: fc.Arbitrary<Decision> = fc
  .record({
    decision_id: anyText,
    outcome: fc.constantFrom("allow", "deny", "sanitize", "approval_needed"),
    denyReason: fc.constantFrom(...DENY_REASONS),
    allowReason: fc.constantFrom("within_limit", "allowed"),
    rule_id: anyText,
    policy_version: anyText,
    mode: fc.constantFrom("enforce", "shadow"),
    redactions: fc.record({
      headers: fc.subarray(headerNames),
      query: fc.subarray(queryNames.map(decodeQueryName)),
      params: fc.array(anyText, { maxLength: 2 }),
    }),
    approval: fc.record({ amount: fc.double(), threshold: fc.double(), hard_limit: fc.double() }),
  })
  .map(({ outcome, denyReason, allowReason, approval, redactions, ...rest }) => {
    const reason: Reason = outcome === "deny" ? denyReason : outcome === "sanitize" ? "sanitized" : outcome === "approval_needed" ? "approval_needed" : allowReason;
    return {
      ...rest,
      outcome,
      allow: outcome === "allow" || outcome === "sanitize",
      reason,
      deny_reasons: outcome === "deny" ? [{ reason: denyReason, rule_id: rest.rule_id }] : [],
      redactions: outcome === "sanitize" ? redactions : { headers: [], query: [], params: [] },
      approval: outcome === "approval_needed" ? approval : null,
      budget_charges: [],
    };
  });

const request = fc
  .record({
    headers: fc.array(fc.tuple(fc.constantFrom(...headerNames), secret), { maxLength: 5 }),
    query: fc.array(fc.tuple(fc.constantFrom(...queryNames, "expand"), secret), { maxLength: 5 }),
    overrideToken: fc.option(secret),
    attestation: fc.option(secret),
  })
  .map(({ headers, query, overrideToken, attestation }) => {
    const all = Object.fromEntries(headers.map(([name, value]) => [name.toLowerCase(), value]));
    if (overrideToken !== null) all["x-aegis-override-token"] = overrideToken;
    if (attestation !== null) all["x-aegis-attestation"] = attestation;
    const path = `/v1/x?${query.map(([name, value]) => `${name}=${value}`).join("&")}`;
    return readRequestFacts(checkRequest({ headers: all, path }));
  });

const context = fc.record({
  request,
  shadowGlobal: fc.boolean(),
  approval: fc.option(fc.record({ approval_id: anyText, expires_at: anyText, queue_position: fc.nat() })),
  budgetRemaining: fc.dictionary(noMark(fc.string({ maxLength: 8 })), fc.double()),
});

function headerValues(response: CheckResponse): string[] {
  const options: readonly HeaderValueOption[] =
    response.http_response === "ok_response" ? response.ok_response.headers : response.denied_response.headers;
  return options.map((o) => o.header!.value);
}

function assertWellFormed(response: CheckResponse): void {
  expect(check.responseDeserialize(check.responseSerialize(response))).toEqual(response);
  for (const value of headerValues(response)) expect(value).not.toMatch(/[\r\n\0]/);
  if (response.http_response === "ok_response") {
    expect(response.status?.code).toBe(0);
    for (const q of response.ok_response.query_parameters_to_set) expect(q.value).toMatch(/^[A-Za-z0-9%._~-]*$/);
  } else {
    expect([3, 7]).toContain(response.status?.code);
    expect(response.denied_response.status?.code).toBe(response.status?.code === 3 ? "BadRequest" : "Forbidden");
    expect(JSON.parse(response.denied_response.body)).toEqual(expect.objectContaining({ error: expect.any(String) }));
  }
}

describe("toCheckResponse, for any decision", () => {
  it("is well formed, consistent with the decision, and never leaks a secret", () => {
    fc.assert(
      fc.property(decision, context, (d, ctx) => {
        const { response, effectiveOutcome, shadowedOutcome } = toCheckResponse(d, ctx);
        assertWellFormed(response);

        const shadow = d.mode === "shadow" || ctx.shadowGlobal;
        expect(effectiveOutcome).toBe(shadow ? "allow" : d.outcome);
        expect(shadowedOutcome).toBe(shadow && d.outcome === "deny" ? "would_deny" : shadow && d.outcome === "approval_needed" ? "would_need_approval" : null);
        expect(response.http_response).toBe(effectiveOutcome === "allow" || effectiveOutcome === "sanitize" ? "ok_response" : "denied_response");

        if (effectiveOutcome === "sanitize" && response.http_response === "ok_response") {
          for (const name of d.redactions.headers) expect(response.ok_response.headers_to_remove).toContain(name.toLowerCase());
          const named = new Set(d.redactions.query.map((n) => n.toLowerCase()));
          const expected = ctx.request.rawQueryKeys.filter((raw) => named.has(decodeQueryName(raw).toLowerCase()));
          expect(response.ok_response.query_parameters_to_set).toEqual(expected.map((key) => ({ key, value: REDACTED_QUERY_VALUE })));
        }
        expect(JSON.stringify(response)).not.toContain(MARK);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("invalidRequestResponse, for any id and reason", () => {
  it("is a well-formed 400 that carries both", () => {
    fc.assert(
      fc.property(anyText, anyText, (id, reason) => {
        const response = invalidRequestResponse(id, reason);
        assertWellFormed(response);
        expect(response.http_response === "denied_response" && JSON.parse(response.denied_response.body)).toMatchObject({ error: "invalid_request", reason, decision_id: id });
      }),
      { numRuns: 500 },
    );
  });
});
