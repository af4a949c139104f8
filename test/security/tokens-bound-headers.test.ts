// An override token approved for a payment from one Stripe connected account must not pay the
// same amount from another: the finance agent's policy binds `stripe-account`
// (approvals.bind_headers), so the header's value, and its presence, are part of "exactly that
// call". A real `aegis serve` over the example policies; the attack retries the approved call with
// another account, with the header dropped, and with the header name in another letter case.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkRequest } from "../support/check-request-builder.ts";
import { HEADER } from "../../src/input/header-names.ts";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { connectCheckClient, type CheckClient } from "../support/grpc-check-client.ts";
import { approve, buildBundle, identity, serve, workDir, writeConfig } from "../runtime/runtime-harness.ts";

let server: RunningAegisProcess;
let client: CheckClient;

function payment(account: Record<string, string>, token?: string) {
  return checkRequest({
    method: "POST", host: "api.stripe.com", path: "/v1/payment_intents",
    headers: { ...identity("finance-agent"), "content-type": "application/json", ...account, ...(token === undefined ? {} : { [HEADER.overrideToken]: token }) },
    body: JSON.stringify({ amount: 7000, currency: "eur" }),
    contextExtensions: { tool: "stripe-payments", action: "create_payment" },
  });
}

const APPROVED_ACCOUNT = { "stripe-account": "acct_approved" };

beforeAll(async () => {
  const work = workDir("token-bound-headers");
  server = await serve({ bundle: buildBundle(work, "bundle"), state: `sqlite:${join(work, "state.db")}`, config: writeConfig(work, "aegis") });
  client = connectCheckClient(server.grpcPort);
}, 120_000);

afterAll(async () => {
  try {
    client?.close();
  } finally {
    await server?.stop();
  }
});

describe("an override token is bound to the headers the policy names", () => {
  let token: string;

  beforeAll(async () => {
    const pending = await client.check(payment(APPROVED_ACCOUNT));
    expect(pending.body).toMatchObject({ error: "approval_pending" });
    token = await approve(server, pending.body.approval_id as string);
  });

  it.each<[string, Record<string, string>]>([
    ["another stripe-account", { "stripe-account": "acct_attacker" }],
    ["no stripe-account at all", {}],
  ])("refuses the token with %s", async (_what, account) => {
    const answer = await client.check(payment(account, token));
    expect(answer.kind).toBe("denied");
    expect(answer.body).toMatchObject({ reason: "override_token_mismatch" });
  });

  it("lets the approved request through once, whatever the letter case of the header's name", async () => {
    expect((await client.check(payment({ "Stripe-Account": "acct_approved" }, token))).kind).toBe("ok");
    const again = await client.check(payment(APPROVED_ACCOUNT, token));
    expect(again.kind).toBe("denied");
    expect(again.body).toMatchObject({ reason: "override_token_used" });
  });
});
