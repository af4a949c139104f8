// Egress ports (SPEC §3): the allowlist entry api.stripe.com admits the scheme's default port
// only, so a call to api.stripe.com:25 (an SMTP relay, an admin port) is egress_denied; a Host
// value that only reads as an allowlisted host when parsed loosely is invalid_request.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FINANCE, rawRequest, startInputPathsStack, type InputPathsStack } from "./input-paths-stack.ts";

let stack: InputPathsStack;

beforeAll(async () => {
  stack = await startInputPathsStack();
});

afterAll(async () => {
  await stack?.stop();
});

const payment = { method: "POST", path: "/v1/payment_intents", headers: { ...FINANCE, "content-type": "application/json" }, body: '{"amount":100,"currency":"eur"}' };

describe("through the shipped Envoy config", () => {
  it("refuses host: api.stripe.com:25 with egress_denied, and the upstream never sees it", async () => {
    const before = stack.upstream.received.length;
    const res = await rawRequest(stack.envoy.port, { ...payment, host: "api.stripe.com:25" });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ error: "PolicyViolation", reason: "egress_denied", rule_id: "acme/egress_allowlist" });
    expect(stack.upstream.received.length).toBe(before);
  });

  it("lets the same call through on the listener's default port (http: 80) and without a port", async () => {
    for (const host of ["api.stripe.com", "api.stripe.com:80"]) {
      const res = await rawRequest(stack.envoy.port, { ...payment, host });
      expect(res.status, `${host}: ${res.body}`).toBe(200);
    }
  });

  it("answers host: [api.stripe.com] with 400 invalid_request", async () => {
    const res = await rawRequest(stack.envoy.port, { ...payment, host: "[api.stripe.com]" });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: "invalid_request" });
  });
});

describe("straight over gRPC", () => {
  const stripe = { ...payment, contextExtensions: { tool: "stripe-payments", action: "create_payment" } };

  it.each([
    ["api.stripe.com:25", "https"],
    ["api.stripe.com:8443", "https"],
    ["api.stripe.com:80", "https"],
    ["api.stripe.com:443", "http"],
    ["api.stripe.com:25", ""],
    ["wiki.docs.acme.internal:25", "https"],
  ])("denies %s over %j with egress_denied", async (host, scheme) => {
    const answer = await stack.check({ ...stripe, host, scheme });
    expect(answer.body).toMatchObject({ reason: "egress_denied" });
  });

  it.each([
    ["api.stripe.com", "https"],
    ["api.stripe.com:443", "https"],
    ["API.Stripe.com.:443", "https"],
    ["api.stripe.com:80", "http"],
    ["api.stripe.com:443", ""],
    ["api.stripe.com:80", ""],
  ])("allows %s over %j", async (host, scheme) => {
    const answer = await stack.check({ ...stripe, host, scheme });
    expect(answer.kind, JSON.stringify(answer.body)).toBe("ok");
  });

  it.each(["[api.stripe.com]", "[api.stripe.com]:443", "api.stripe.com:https", "api.stripe.com:0", "api.stripe.com:65536", "[::1]junk"])(
    "answers host %j with 400 invalid_request",
    async (host) => {
      const answer = await stack.check({ ...stripe, host });
      expect(answer.httpStatus).toBe("BadRequest");
      expect(answer.body).toMatchObject({ error: "invalid_request" });
    },
  );

  it("reads a bracketed IPv6 host with its port (and denies it: it is not on the allowlist)", async () => {
    const answer = await stack.check({ ...stripe, host: "[2001:db8::1]:443" });
    expect(answer.body).toMatchObject({ reason: "egress_denied" });
  });
});
