// Attack: an amount no double can hold (`1e400`, 400 digits) used to reach the canonical-JSON
// call digest and decision log as Infinity: the check threw, Envoy answered 503 and no decision
// record was written. Now such an amount, in a JSON body (as a number or a string), a form body
// or the query string, is denied invalid_amount (403), the upstream never sees the call, and
// the decision log has the record.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkRequest } from "../support/check-request-builder.ts";
import { buildBundle, identity, jsonLines, serve, workDir, writeConfig } from "../runtime/runtime-harness.ts";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { startEnvoy, type RunningEnvoy } from "../support/envoy.ts";
import { connectCheckClient, type CheckClient } from "../support/grpc-check-client.ts";
import { httpRequest } from "../support/http.ts";
import { startUpstream, type RunningUpstream } from "../support/upstream.ts";

const DIGITS_400 = `1${"0".repeat(399)}`;
const PAYMENTS = "/v1/payment_intents";
const JSON_TYPE = { "content-type": "application/json" };
const FORM_TYPE = { "content-type": "application/x-www-form-urlencoded" };

/** One way to send a huge amount: the request target, content type and body of the payment. */
interface HugeAmount {
  readonly name: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

const attacks: HugeAmount[] = [
  { name: "JSON number 1e400", path: PAYMENTS, headers: JSON_TYPE, body: '{"amount":1e400,"currency":"eur"}' },
  { name: "JSON number -1e400", path: PAYMENTS, headers: JSON_TYPE, body: '{"amount":-1e400,"currency":"eur"}' },
  { name: "JSON number of 400 digits", path: PAYMENTS, headers: JSON_TYPE, body: `{"amount":${DIGITS_400},"currency":"eur"}` },
  { name: "JSON string of 400 digits", path: PAYMENTS, headers: JSON_TYPE, body: `{"amount":"${DIGITS_400}","currency":"eur"}` },
  { name: "JSON number 1e300 (finite, past the amount magnitude)", path: PAYMENTS, headers: JSON_TYPE, body: '{"amount":1e300,"currency":"eur"}' },
  { name: "form value of 400 digits", path: PAYMENTS, headers: FORM_TYPE, body: `amount=${DIGITS_400}&currency=eur` },
  { name: "query value of 400 digits", path: `${PAYMENTS}?amount=${DIGITS_400}&currency=eur`, headers: {} },
];

let work: string;
let log: string;
let server: RunningAegisProcess;
let client: CheckClient;
let upstream: RunningUpstream;
let envoy: RunningEnvoy;

beforeAll(async () => {
  work = workDir("huge-amounts");
  const bundle = buildBundle(work);
  log = join(work, "decisions.log");
  server = await serve({ bundle, state: `sqlite:${join(work, "state.db")}`, config: writeConfig(work, "aegis"), args: ["--decision-log", log] });
  client = connectCheckClient(server.grpcPort);
  upstream = await startUpstream();
  envoy = await startEnvoy({ aegisPort: server.grpcPort, upstreamPort: upstream.port });
});

afterAll(async () => {
  try {
    client?.close();
    await envoy?.stop();
  } finally {
    try {
      await server?.stop();
    } finally {
      await upstream?.close();
    }
  }
});

/** The decision-log record of one decision id, waiting briefly for the writer to flush. */
async function logged(decisionId: unknown): Promise<Record<string, unknown> | undefined> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const record = jsonLines(readFileSync(log, "utf8")).find((l) => l.type === "decision" && l.decision_id === decisionId);
    if (record !== undefined || Date.now() > deadline) return record;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("an amount too large for a double", () => {
  it.each(attacks)("over gRPC, $name: 403 invalid_amount, and the decision log has the record", async ({ path, headers, body }) => {
    const answer = await client.check(checkRequest({
      method: "POST", host: "api.stripe.com", path, headers: { ...identity("finance-agent"), ...headers },
      ...(body === undefined ? {} : { body }), contextExtensions: { tool: "stripe-payments", action: "create_payment" },
    }));
    expect(answer.kind).toBe("denied");
    expect(answer.httpStatus).toBe("Forbidden");
    expect(answer.body).toMatchObject({ error: "PolicyViolation", reason: "invalid_amount" });
    expect(await logged(answer.body.decision_id)).toMatchObject({ decision: "deny", reason: "invalid_amount" });
  });

  it.each(attacks)("through Envoy, $name: 403 invalid_amount, upstream never reached, record logged", async ({ path, headers, body }) => {
    const before = upstream.received.length;
    const res = await httpRequest({ port: envoy.port, host: "api.stripe.com", method: "POST", path, headers: { ...identity("finance-agent"), ...headers }, ...(body === undefined ? {} : { body }) });
    expect(res.status, res.body).toBe(403);
    const answer = JSON.parse(res.body) as Record<string, unknown>;
    expect(answer).toMatchObject({ error: "PolicyViolation", reason: "invalid_amount" });
    expect(upstream.received.length).toBe(before);
    expect(await logged(answer.decision_id)).toMatchObject({ decision: "deny", reason: "invalid_amount" });
  });

  it("keeps the exact text of an unrepresentable JSON number in the logged parameters", async () => {
    const answer = await client.check(checkRequest({
      method: "POST", host: "api.stripe.com", path: PAYMENTS, headers: { ...identity("finance-agent"), ...JSON_TYPE },
      body: `{"amount":${DIGITS_400}}`, contextExtensions: { tool: "stripe-payments", action: "create_payment" },
    }));
    expect((await logged(answer.body.decision_id))?.input).toMatchObject({ params: { amount: DIGITS_400 } });
  });
});
