import { describe, expect, it } from "vitest";
import { callDigest, type CallIdentity } from "./call-digest.ts";

const CALL: CallIdentity = {
  tenant: "acme", agent: "finance-agent", tool: "stripe-payments", action: "create_payment",
  method: "POST", host: "api.stripe.com", port: null, path: "/v1/payment_intents", params: { amount: 7000, currency: "eur" },
  headers: { "stripe-account": "acct_1" },
};

describe("callDigest", () => {
  it("is the same for the same call, whatever the key order of its parameters", () => {
    expect(callDigest({ ...CALL, params: { currency: "eur", amount: 7000 } })).toBe(callDigest(CALL));
  });

  it.each<[string, Partial<CallIdentity>]>([
    ["tenant", { tenant: "globex" }],
    ["agent", { agent: "other-agent" }],
    ["tool", { tool: "other-tool" }],
    ["action", { action: "refund" }],
    ["method", { method: "PUT" }],
    ["host", { host: "connect.stripe.com" }],
    ["port", { port: 8443 }],
    ["path", { path: "/v1/refunds" }],
    ["bound header's value", { headers: { "stripe-account": "acct_2" } }],
    ["bound header's presence", { headers: { "stripe-account": null } }],
    ["parameters", { params: { amount: 7001, currency: "eur" } }],
  ])("differs when the %s differs", (_what, change) => {
    expect(callDigest({ ...CALL, ...change })).not.toBe(callDigest(CALL));
  });
});
