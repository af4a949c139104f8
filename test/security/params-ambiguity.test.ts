// Attack: send a parameter twice so that the policy reads one value and the upstream another.
// `{"amount":100,"Amount":999999}` was allowed as 100, while Go's encoding/json (case-insensitive
// field names, last one wins) pays 999999; `{"amount":1,"amount":99999}` is 1 to some parsers and
// 99999 to others; `?amount=99999` beside a body amount of 100 depends on which the upstream
// reads. Each is now 400 invalid_request through the real Envoy, and the upstream never sees it.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBundle, identity, serve, workDir, writeConfig } from "../runtime/runtime-harness.ts";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { startEnvoy, type RunningEnvoy } from "../support/envoy.ts";
import { httpRequest } from "../support/http.ts";
import { startUpstream, type RunningUpstream } from "../support/upstream.ts";

const JSON_TYPE = { "content-type": "application/json" };
const FORM_TYPE = { "content-type": "application/x-www-form-urlencoded" };

interface Call {
  readonly name: string;
  readonly host: string;
  readonly agent: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

const payment = (name: string, body: string | undefined, opts: { query?: string; headers?: Record<string, string> } = {}): Call => ({
  name, host: "api.stripe.com", agent: "finance-agent", path: `/v1/payment_intents${opts.query ?? ""}`, headers: opts.headers ?? JSON_TYPE, ...(body === undefined ? {} : { body }),
});
const mcpCall = (name: string, body: string): Call => ({ name, host: "mcp.docs.acme.internal", agent: "docs-agent", path: "/mcp", headers: JSON_TYPE, body });

const ambiguous: Call[] = [
  payment("JSON body, names differing in case", '{"amount":100,"Amount":999999,"currency":"eur"}'),
  payment("JSON body, a repeated member", '{"amount":1,"amount":99999,"currency":"eur"}'),
  payment("JSON body, a repeated member spelled with an escape", '{"amount":1,"\\u0061mount":99999,"currency":"eur"}'),
  payment("JSON body, the Kelvin sign folding to k", '{"amount":100,"currency":"eur","kind":"a","\u212Aind":"b"}'),
  payment("JSON body, long s folding to s", '{"amount":100,"currency":"eur","source":"a","\u017Fource":"b"}'),
  payment("JSON body, a nested case pair", '{"amount":100,"currency":"eur","metadata":{"order":"1","ORDER":"2"}}'),
  payment("JSON body, a case pair inside an array", '{"amount":100,"currency":"eur","items":[{"sku":"a","Sku":"b"}]}'),
  payment("form body, names differing in case", "amount=100&Amount=999999&currency=eur", { headers: FORM_TYPE }),
  payment("query string, names differing in case", undefined, { query: "?amount=100&AMOUNT=999999&currency=eur", headers: {} }),
  payment("query and JSON body with different values", '{"amount":100,"currency":"eur"}', { query: "?amount=99999" }),
  payment("query and form body with different values", "amount=100&currency=eur", { query: "?amount=99999", headers: FORM_TYPE }),
  payment("query and body spelling a name in different case", '{"amount":100,"currency":"eur"}', { query: "?Amount=100" }),
  mcpCall("MCP tools/call arguments, names differing in case", JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "read_document", arguments: { id: "handbook", ID: "payroll" } } })),
  mcpCall("MCP tools/call arguments, a repeated member", '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"read_document","arguments":{"id":"handbook","id":"payroll"}}}'),
  mcpCall("MCP envelope, a repeated tool name", '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"read_document","name":"write_document","arguments":{"id":"handbook"}}}'),
  mcpCall("MCP envelope, method differing in case", '{"jsonrpc":"2.0","id":1,"method":"tools/call","Method":"tools/list","params":{"name":"read_document","arguments":{"id":"handbook"}}}'),
];

let work: string;
let server: RunningAegisProcess;
let upstream: RunningUpstream;
let envoy: RunningEnvoy;

beforeAll(async () => {
  work = workDir("params-ambiguity");
  const bundle = buildBundle(work);
  server = await serve({ bundle, state: `sqlite:${join(work, "state.db")}`, config: writeConfig(work, "aegis") });
  upstream = await startUpstream();
  envoy = await startEnvoy({ aegisPort: server.grpcPort, upstreamPort: upstream.port });
});

afterAll(async () => {
  try {
    await envoy?.stop();
  } finally {
    try {
      await server?.stop();
    } finally {
      await upstream?.close();
    }
  }
});

function send(call: Call) {
  return httpRequest({ port: envoy.port, host: call.host, method: "POST", path: call.path, headers: { ...identity(call.agent), ...call.headers }, ...(call.body === undefined ? {} : { body: call.body }) });
}

describe("ambiguous parameters through Envoy", () => {
  it.each(ambiguous)("$name: 400 invalid_request, upstream never reached", async (call) => {
    const before = upstream.received.length;
    const res = await send(call);
    expect(res.status, res.body).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: "invalid_request", rule_id: "aegis/invalid_request" });
    expect(upstream.received.length).toBe(before);
  });

  it.each([
    payment("a name in both query and body with the same value", '{"amount":100,"currency":"eur"}', { query: "?amount=100" }),
    payment("one name in sibling objects", '{"amount":100,"currency":"eur","from":{"id":"a"},"to":{"ID":"b"}}'),
    mcpCall("an MCP argument named like an envelope member", JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "read_document", arguments: { id: "handbook", Method: "x" } } })),
  ])("still lets through $name", async (call) => {
    const before = upstream.received.length;
    const res = await send(call);
    expect(res.status, res.body).toBe(200);
    expect(upstream.received.length).toBe(before + 1);
  });
});
