// Partial bodies (SPEC §4): a body judged by its first 64 KiB while the upstream reads all of it
// lets whatever follows the cut (a second "amount", an MCP tool name) pass unjudged. The shipped
// Envoy config sends whole bodies or answers 413; Aegis denies a partial body with body_truncated
// unless the call's policy reads nothing from the body, whatever Envoy sent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpRequest } from "../support/http.ts";
import { DOCS, FINANCE, PLANNER, startInputPathsStack, type InputPathsStack } from "./input-paths-stack.ts";

// What the shipped envoy.yaml buffers (with_request_body.max_request_bytes).
const ENVOY_MAX_BODY = 65536;
const PAD = "x".repeat(70_000);

const jsonAttack = JSON.stringify({ currency: "eur", pad: PAD, amount: 999999 });
const formAttack = `amount=100&pad=${PAD}&amount=999999`;
// The MCP tool name comes after the cut, so only the route's action is left to judge.
const mcpAttack = JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { arguments: { pad: PAD }, name: "write_document" } });

/** What an Envoy with allow_partial_message: true sends: the first bytes, flagged. */
function partial(body: string): { rawBody: Uint8Array; flag: Record<string, string> } {
  return { rawBody: Buffer.from(body).subarray(0, ENVOY_MAX_BODY), flag: { "x-envoy-auth-partial-body": "true" } };
}

let stack: InputPathsStack;

beforeAll(async () => {
  stack = await startInputPathsStack();
});

afterAll(async () => {
  await stack?.stop();
});

describe("through the shipped Envoy config", () => {
  it("answers an over-limit JSON body with 413 and the upstream never sees it", async () => {
    const before = stack.upstream.received.length;
    const res = await httpRequest({
      port: stack.envoy.port, host: "api.stripe.com", method: "POST", path: "/v1/payment_intents?amount=100",
      headers: { ...FINANCE, "content-type": "application/json" }, body: jsonAttack,
    });
    expect(res.status).toBe(413);
    expect(stack.upstream.received.length).toBe(before);
  });

  it("answers an over-limit MCP tools/call with 413 and the upstream never sees it", async () => {
    const before = stack.upstream.received.length;
    const res = await httpRequest({
      port: stack.envoy.port, host: "mcp.docs.acme.internal", method: "POST", path: "/mcp",
      headers: { ...DOCS, "content-type": "application/json" }, body: mcpAttack,
    });
    expect(res.status).toBe(413);
    expect(stack.upstream.received.length).toBe(before);
  });

  it("still judges a body under the limit in full", async () => {
    const res = await httpRequest({
      port: stack.envoy.port, host: "api.stripe.com", method: "POST", path: "/v1/payment_intents",
      headers: { ...FINANCE, "content-type": "application/json" }, body: JSON.stringify({ currency: "eur", amount: 999999 }),
    });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ reason: "blocked_over_hard_limit" });
  });
});

describe("a partial body sent straight over gRPC (an Envoy with allow_partial_message: true)", () => {
  const stripe = { method: "POST", host: "api.stripe.com", path: "/v1/payment_intents?amount=100", contextExtensions: { tool: "stripe-payments", action: "create_payment" } };

  it("denies ?amount=100 with a cut JSON body ending in \"amount\":999999 as body_truncated", async () => {
    const { rawBody, flag } = partial(jsonAttack);
    const answer = await stack.check({ ...stripe, headers: { ...FINANCE, ...flag, "content-type": "application/json" }, rawBody });
    expect(answer.httpStatus).toBe("Forbidden");
    expect(answer.body).toMatchObject({ error: "PolicyViolation", reason: "body_truncated", rule_id: "aegis/body_truncated" });
  });

  it("denies a cut form amount=100&pad=…&amount=999999 as body_truncated", async () => {
    const { rawBody, flag } = partial(formAttack);
    const answer = await stack.check({ ...stripe, path: "/v1/payment_intents", headers: { ...FINANCE, ...flag, "content-type": "application/x-www-form-urlencoded" }, rawBody });
    expect(answer.httpStatus).toBe("Forbidden");
    expect(answer.body).toMatchObject({ reason: "body_truncated" });
  });

  it("denies a cut MCP tools/call whose tool name lies past the cut as body_truncated", async () => {
    const { rawBody, flag } = partial(mcpAttack);
    const answer = await stack.check({
      method: "POST", host: "mcp.docs.acme.internal", path: "/mcp", contextExtensions: { tool: "doc-store", action: "read_document" },
      headers: { ...DOCS, ...flag, "content-type": "application/json" }, rawBody,
    });
    expect(answer.httpStatus).toBe("Forbidden");
    expect(answer.body).toMatchObject({ reason: "body_truncated" });
  });

  it("denies a body shorter than its content-length as body_truncated even without Envoy's flag", async () => {
    const { rawBody } = partial(jsonAttack);
    const answer = await stack.check({ ...stripe, headers: { ...FINANCE, "content-type": "application/json", "content-length": String(Buffer.byteLength(jsonAttack)) }, rawBody });
    expect(answer.body).toMatchObject({ reason: "body_truncated" });
  });

  it("denies a partial body from an agent without a policy as body_truncated", async () => {
    const { rawBody, flag } = partial(jsonAttack);
    const answer = await stack.check({ ...stripe, headers: { "x-aegis-tenant": "acme", "x-aegis-agent": "intruder", ...flag }, rawBody });
    expect(answer.body).toMatchObject({ reason: "body_truncated" });
  });

  it("still allows a partial body to a tool whose policy reads nothing from the body", async () => {
    const { rawBody, flag } = partial(jsonAttack);
    const answer = await stack.check({
      method: "GET", host: "calendar.acme.internal", path: "/v1/calendars/team/events",
      headers: { ...PLANNER, ...flag, "content-type": "application/json" }, rawBody,
    });
    expect(answer.kind, JSON.stringify(answer.body)).toBe("ok");
  });
});
