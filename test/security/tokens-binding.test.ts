// An override token lets exactly the approved request through, once: same tenant, agent, tool,
// action, method, host, path and canonical parameters. A real `aegis serve`; a payment over the
// approval threshold is approved, then the token is tried on the same tool and parameters at
// another path, another (allowlisted) host and with another method — each refused as a
// mismatch, and each a call the policy would otherwise have sent to approval — and finally on
// the approved request itself, which goes through once.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkRequest } from "../support/check-request-builder.ts";
import { HEADER } from "../../src/input/header-names.ts";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { connectCheckClient, type CheckClient } from "../support/grpc-check-client.ts";
import { approve, buildBundle, eventually, identity, logLines, serve, workDir, writeConfig } from "../runtime/runtime-harness.ts";

let server: RunningAegisProcess;
let client: CheckClient;

/** The example policies, with a second Stripe host on acme's allowlist and no budget pressure. */
function bundle(work: string): string {
  return buildBundle(work, "bundle", (policies) => {
    const tenant = join(policies, "acme", "tenant.yaml");
    writeFileSync(tenant, readFileSync(tenant, "utf8").replace("  - api.stripe.com\n", "  - api.stripe.com\n  - connect.stripe.com\n"));
    const finance = join(policies, "finance-agent", "policy.yaml");
    writeFileSync(finance, readFileSync(finance, "utf8").replace("limit: 20000", "limit: 10000000"));
  });
}

interface Target {
  readonly method: string;
  readonly host: string;
  readonly path: string;
}

const APPROVED: Target = { method: "POST", host: "api.stripe.com", path: "/v1/payment_intents" };

/** The finance agent's create_payment as Envoy's route names it, sent to `target`. */
function paymentTo(target: Target, amount: number, token?: string) {
  return checkRequest({
    ...target,
    headers: { ...identity("finance-agent"), "content-type": "application/json", ...(token === undefined ? {} : { [HEADER.overrideToken]: token }) },
    body: JSON.stringify({ amount, currency: "eur" }),
    contextExtensions: { tool: "stripe-payments", action: "create_payment" },
  });
}

function mismatches(): number {
  return logLines(server, "override token rejected").filter((l) => l.reason === "override_token_mismatch").length;
}

beforeAll(async () => {
  const work = workDir("token-binding");
  server = await serve({ bundle: bundle(work), state: `sqlite:${join(work, "state.db")}`, config: writeConfig(work, "aegis") });
  client = connectCheckClient(server.grpcPort);
}, 120_000);

afterAll(async () => {
  try {
    client?.close();
  } finally {
    await server?.stop();
  }
});

describe("an override token is bound to method, host and path", () => {
  let token: string;

  beforeAll(async () => {
    const pending = await client.check(paymentTo(APPROVED, 7000));
    expect(pending.body).toMatchObject({ error: "approval_pending" });
    token = await approve(server, pending.body.approval_id as string);
  });

  it.each<[string, Target]>([
    ["another path", { ...APPROVED, path: "/v1/refunds" }],
    ["another host", { ...APPROVED, host: "connect.stripe.com" }],
    ["another method", { ...APPROVED, method: "PUT" }],
  ])("refuses the token on %s (and the call still needs its own approval)", async (_what, target) => {
    // Without the token the policy sends this call to approval: the token alone decides.
    expect((await client.check(paymentTo(target, 7000))).body).toMatchObject({ error: "approval_pending" });
    const before = mismatches();
    const answer = await client.check(paymentTo(target, 7000, token));
    expect(answer.kind).toBe("denied");
    expect(answer.body).toMatchObject({ error: "PolicyViolation", reason: "override_token_mismatch" });
    await eventually(mismatches, (n) => n > before, "the mismatch in the log");
  });

  it("lets the approved request through exactly once", async () => {
    expect((await client.check(paymentTo(APPROVED, 7000, token))).kind).toBe("ok");
    const again = await client.check(paymentTo(APPROVED, 7000, token));
    expect(again.kind).toBe("denied");
    expect(again.body).toMatchObject({ error: "PolicyViolation", reason: "override_token_used" });
  });
});
