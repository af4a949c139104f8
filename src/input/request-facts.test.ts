import { describe, expect, it } from "vitest";
import { checkRequest } from "../../test/support/check-request-builder.ts";
import { readRequestFacts } from "./request-facts.ts";
import { requestHeaders } from "./request-headers.ts";

describe("requestHeaders", () => {
  it("lower-cases names from the headers map", () => {
    expect({ ...requestHeaders({ headers: { "Content-Type": "application/json" } }) }).toEqual({ "content-type": "application/json" });
  });

  it("reads header_map raw values and joins repeated names with commas", () => {
    const http = { header_map: { headers: [{ key: "X-A", raw_value: Buffer.from("1") }, { key: "x-a", value: "2", raw_value: Buffer.alloc(0) }] } };
    expect({ ...requestHeaders(http) }).toEqual({ "x-a": "1,2" });
  });

  it("looks up names like constructor as plain misses", () => {
    expect(requestHeaders({ headers: {} })["constructor"]).toBeUndefined();
  });

  it.each([null, undefined, 5, "x", { headers: 7, header_map: { headers: "no" } }, { header_map: { headers: [null, 3, { key: 1 }] } }])(
    "tolerates %j",
    (http) => {
      expect({ ...requestHeaders(http) }).toEqual({});
    },
  );
});

describe("readRequestFacts", () => {
  it("collects what identity, call chain and response stages need", () => {
    const facts = readRequestFacts(
      checkRequest({
        method: "POST",
        host: "API.Stripe.com:443",
        path: "/v1/pay?token=t&amount=5",
        principal: "spiffe://cluster.local/ns/acme/sa/finance-agent",
        contextExtensions: { tool: "stripe-payments" },
        headers: {
          traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
          tracestate: "vendor=x",
          "x-aegis-override-token": " tok ",
          "x-aegis-parent-agent": "planner",
          "x-aegis-attestation": "jws",
          "x-envoy-auth-partial-body": "TRUE",
        },
      }),
    );
    expect(facts).toMatchObject({
      requestId: "req-1",
      method: "POST",
      host: "api.stripe.com",
      path: "/v1/pay",
      rawQueryKeys: ["token", "amount"],
      peerPrincipal: "spiffe://cluster.local/ns/acme/sa/finance-agent",
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      tracestate: "vendor=x",
      overrideToken: "tok",
      parentAgent: "planner",
      attestation: "jws",
      truncatedBody: true,
    });
    expect({ ...facts.query }).toEqual({ token: ["t"], amount: ["5"] });
    expect({ ...facts.contextExtensions }).toEqual({ tool: "stripe-payments" });
  });

  it("reports absent optional headers as null and an untruncated body", () => {
    const facts = readRequestFacts(checkRequest({ headers: { "x-aegis-parent-agent": "  " } }));
    expect(facts).toMatchObject({ traceparent: null, tracestate: null, overrideToken: null, parentAgent: null, attestation: null, truncatedBody: false });
  });

  it("keeps the port and the scheme apart from the host", () => {
    const facts = readRequestFacts(checkRequest({ host: "API.Stripe.com:25", scheme: "HTTP" }));
    expect(facts).toMatchObject({ host: "api.stripe.com", port: 25, scheme: "http", targetProblem: null });
  });

  it.each([
    [{ host: "[api.stripe.com]" }, /bracketed host/],
    [{ host: "api.stripe.com:0" }, /port/],
    [{ path: "/docs/../admin" }, /dot segment/],
    [{ path: "/docs/..%2Fadmin?x=1" }, /encoded slash/],
  ])("names what is wrong with the target %j", (parts, problem) => {
    const facts = readRequestFacts(checkRequest(parts));
    expect(facts.targetProblem).toMatch(problem);
  });

  it("reads the query apart from the path: dots in the query are no dot segments", () => {
    expect(readRequestFacts(checkRequest({ path: "/docs/a?next=/../b" })).targetProblem).toBeNull();
  });

  it("reads a body shorter than its content-length as truncated, even unflagged", () => {
    const cut = readRequestFacts(checkRequest({ headers: { "content-length": "100" }, body: '{"amount":1' }));
    expect(cut.truncatedBody).toBe(true);
    const whole = readRequestFacts(checkRequest({ headers: { "content-length": "11" }, rawBody: Buffer.from('{"amount":1') }));
    expect(whole.truncatedBody).toBe(false);
    const unparseable = readRequestFacts(checkRequest({ headers: { "content-length": "lots" }, body: "x" }));
    expect(unparseable.truncatedBody).toBe(false);
  });

  it("reads headers sent as header_map (encode_raw_headers)", () => {
    const facts = readRequestFacts(checkRequest({ rawHeaders: [["x-aegis-parent-agent", "planner"]] }));
    expect(facts.parentAgent).toBe("planner");
  });

  it.each([null, undefined, {}, { attributes: null }, { attributes: { request: { http: null } } }, 42])("gives empty facts for %j", (request) => {
    const facts = readRequestFacts(request as never);
    expect(facts).toMatchObject({ method: "", host: "", path: "", peerPrincipal: "", parentAgent: null });
  });
});
