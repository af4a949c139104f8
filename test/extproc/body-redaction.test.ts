// Through the real Envoy with the shipped sidecar config (ext_authz, then ext_proc): a body
// parameter a sanitize rule names reaches the upstream as "[REDACTED]", for JSON at any depth,
// for forms, and inside an MCP tools/call's arguments, with content-length fixed; the value
// appears in no log of Aegis or Envoy, nor in the decision log.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAegisProcess, type RunningAegisProcess } from "../support/aegis-server.ts";
import { startEnvoy, type RunningEnvoy } from "../support/envoy.ts";
import { httpRequest } from "../support/http.ts";
import { startUpstream, type RunningUpstream } from "../support/upstream.ts";
import { buildExtProcBundle, FAKE_CARD } from "./policies.ts";

let dir: string;
let upstream: RunningUpstream;
let server: RunningAegisProcess;
let envoy: RunningEnvoy;
const PAY = { "x-aegis-tenant": "acme", "x-aegis-agent": "pay-agent" };

beforeAll(async () => {
  const built = buildExtProcBundle();
  dir = built.dir;
  upstream = await startUpstream();
  try {
    server = await startAegisProcess({
      args: ["--bundle", built.bundle, "--state", `sqlite:${join(dir, "state.db")}`, "--trust-identity-headers", "--decision-log", join(dir, "decisions.log")],
    });
    envoy = await startEnvoy({ aegisPort: server.grpcPort, upstreamPort: upstream.port });
  } catch (err) {
    await server?.stop();
    await upstream.close();
    throw err;
  }
}, 120_000);

afterAll(async () => {
  await envoy?.stop();
  await server?.stop();
  await upstream?.close();
});

function last() {
  const r = upstream.received.at(-1);
  if (r === undefined) throw new Error("nothing reached the upstream");
  return r;
}

describe("ext_proc body sanitization through Envoy", () => {
  it("a JSON body reaches the upstream with card_number redacted at every depth, content-length fixed", async () => {
    const before = upstream.received.length;
    const body = JSON.stringify({ amount: 10, card_number: FAKE_CARD, payer: { Card_Number: FAKE_CARD, name: "Ada" }, items: [{ card_number: FAKE_CARD }] });
    const res = await httpRequest({ port: envoy.port, host: "api.stripe.com", method: "POST", path: "/v1/payment_intents", headers: { ...PAY, "content-type": "application/json" }, body });
    expect(res.status, res.body).toBe(200);
    expect(upstream.received.length).toBe(before + 1);
    const got = last();
    expect(got.body).not.toContain(FAKE_CARD);
    expect(JSON.parse(got.body)).toEqual({ amount: 10, card_number: "[REDACTED]", payer: { Card_Number: "[REDACTED]", name: "Ada" }, items: [{ card_number: "[REDACTED]" }] });
    expect(Number(got.headers["content-length"])).toBe(Buffer.byteLength(got.body));
  });

  it("a form body reaches the upstream with card_number redacted (every repetition, encoded names too)", async () => {
    const body = `amount=10&card_number=${FAKE_CARD}&card%5Fnumber=${FAKE_CARD}&memo=hello`;
    const res = await httpRequest({ port: envoy.port, host: "api.stripe.com", method: "POST", path: "/v1/payment_intents", headers: { ...PAY, "content-type": "application/x-www-form-urlencoded" }, body });
    expect(res.status, res.body).toBe(200);
    const got = last();
    expect(got.body).not.toContain(FAKE_CARD);
    expect(got.body).toBe("amount=10&card_number=%5BREDACTED%5D&card%5Fnumber=%5BREDACTED%5D&memo=hello");
    expect(Number(got.headers["content-length"])).toBe(Buffer.byteLength(got.body));
  });

  it("an MCP tools/call has card_number redacted inside params.arguments only", async () => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "pay_invoice", arguments: { invoice: "INV-1", card: { card_number: FAKE_CARD } } } });
    const res = await httpRequest({
      port: envoy.port, host: "mcp.docs.acme.internal", method: "POST", path: "/mcp",
      headers: { "x-aegis-tenant": "acme", "x-aegis-agent": "mcp-pay", "content-type": "application/json", accept: "application/json, text/event-stream" }, body,
    });
    expect(res.status, res.body).toBe(200);
    const got = last();
    expect(JSON.parse(got.body)).toEqual({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "pay_invoice", arguments: { invoice: "INV-1", card: { card_number: "[REDACTED]" } } } });
  });

  it("an agent sending x-aegis-ext-proc: skip itself cannot skip the redaction, and the flag never reaches the upstream", async () => {
    const body = JSON.stringify({ amount: 10, card_number: FAKE_CARD });
    const res = await httpRequest({
      port: envoy.port, host: "api.stripe.com", method: "POST", path: "/v1/payment_intents", headers: { ...PAY, "content-type": "application/json", "x-aegis-ext-proc": "skip" }, body,
    });
    expect(res.status, res.body).toBe(200);
    expect(JSON.parse(last().body)).toEqual({ amount: 10, card_number: "[REDACTED]" });
    expect(last().headers["x-aegis-ext-proc"]).toBeUndefined();
  });

  it("a call with nothing to sanitize passes its body byte-identical", async () => {
    const body = '{"amount":10,  "memo":"no card here"}';
    const res = await httpRequest({ port: envoy.port, host: "api.stripe.com", method: "POST", path: "/v1/payment_intents", headers: { ...PAY, "content-type": "application/json" }, body });
    expect(res.status, res.body).toBe(200);
    expect(last().body).toBe(body);
  });

  it("the card number appears in no log: Aegis's, Envoy's, nor the decision log", async () => {
    await new Promise((r) => setTimeout(r, 500));
    expect(server.logs()).not.toContain(FAKE_CARD);
    expect(envoy.logs()).not.toContain(FAKE_CARD);
    const log = readFileSync(join(dir, "decisions.log"), "utf8");
    expect(log).toContain('"type":"ext_proc"');
    expect(log).not.toContain(FAKE_CARD);
  });
});
