import { describe, expect, it } from "vitest";
import { callDigest, type CallIdentity } from "./call-digest.ts";

const CALL: CallIdentity = {
  tenant: "acme", agent: "finance-agent", tool: "stripe-payments", action: "create_payment",
  method: "POST", host: "api.stripe.com", path: "/v1/payment_intents", params: { amount: 7000, currency: "eur" },
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
    ["path", { path: "/v1/refunds" }],
    ["parameters", { params: { amount: 7001, currency: "eur" } }],
  ])("differs when the %s differs", (_what, change) => {
    expect(callDigest({ ...CALL, ...change })).not.toBe(callDigest(CALL));
  });
});
