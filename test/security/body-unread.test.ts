// A body Aegis does not read (multipart fields, plain text) gave the policy no body parameters, so
// only the query was judged, while Express+multer, Flask, Rails and PHP read the multipart fields:
// a payment of 99999 gbp went upstream as if it were 100 usd. Through the real Envoy with the
// shipped config: such a body is refused wherever the policy reads the body, and still passes to a
// tool whose policy reads nothing from it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FINANCE, rawRequest, startInputPathsStack, type InputPathsStack } from "./input-paths-stack.ts";

let stack: InputPathsStack;
beforeAll(async () => {
  stack = await startInputPathsStack();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

const multipart = ["--b", 'content-disposition: form-data; name="amount"', "", "99999", "--b", 'content-disposition: form-data; name="currency"', "", "gbp", "--b--", ""].join("\r\n");

describe("a body Aegis does not read, through the shipped Envoy config", () => {
  it.each([
    ["multipart/form-data; boundary=b", multipart],
    ["text/plain", "amount=99999&currency=gbp"],
  ])("is refused (invalid_request, aegis/body_unreadable) for a payment whose policy reads the body: %s", async (contentType, body) => {
    const before = stack.upstream.received.length;
    const res = await rawRequest(stack.envoy.port, {
      method: "POST", host: "api.stripe.com", path: "/v1/payment_intents?amount=100&currency=usd",
      headers: { ...FINANCE, "content-type": contentType }, body,
    });
    expect(res.status, res.body).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ reason: "invalid_request", rule_id: "aegis/body_unreadable" });
    expect(stack.upstream.received.length).toBe(before);
  });
});
