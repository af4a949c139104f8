// Attacks on the ext_proc stream itself, against a real `aegis serve` over gRPC: what a peer
// that is not the shipped Envoy, or an upstream that answers oddly, could try. Each test fails
// if the hole reopens: a stream without an ext_authz decision gets a body through, an
// unreadable or compressed tools/list passes unfiltered, a split SSE event or a resumed stream
// carries a hidden tool or a secret past the filter.
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAegisProcess, type RunningAegisProcess } from "../support/aegis-server.ts";
import { extProcClient, forwarded, headers, type Message } from "../extproc/ext-proc-client.ts";
import { buildExtProcBundle, FAKE_API_KEY, FAKE_CARD } from "../extproc/policies.ts";

let server: RunningAegisProcess;
let client: ReturnType<typeof extProcClient>;

beforeAll(async () => {
  const built = buildExtProcBundle();
  server = await startAegisProcess({ args: ["--bundle", built.bundle, "--state", `sqlite:${join(built.dir, "state.db")}`] });
  client = extProcClient(server.grpcPort);
}, 120_000);

afterAll(async () => {
  client?.close();
  await server?.stop();
});

const LIST = { decision_id: "d-list", outcome: "allow", policy_version: "v", tenant: "acme", agent: "mcp-narrow", tool: "payments-mcp", mcp_method: "tools/list" };
const READ = { decision_id: "d-read", outcome: "allow", policy_version: "v", tenant: "acme", agent: "mcp-wide", tool: "payments-mcp", action: "read_document", mcp_method: "tools/call" };
const TOOLS = { jsonrpc: "2.0", id: 1, result: { tools: [{ name: "search_documents" }, { name: "delete_document" }, { name: "read_document" }] } };

function bodyOf(answer: Message, phase: "request_body" | "response_body"): string | null {
  const mutation = ((answer[phase] as Message | undefined)?.["response"] as Message | undefined)?.["body_mutation"] as Message | null | undefined;
  if (mutation === null || mutation === undefined) return null;
  return mutation["mutation"] === "clear_body" ? "" : (mutation["body"] as Buffer).toString("utf8");
}

async function responseThrough(decision: Record<string, string>, responseHeaders: Record<string, string>, chunks: (string | Buffer)[]): Promise<{ headers: Message; bodies: (string | null)[]; out: string }> {
  const stream = client.open();
  try {
    await stream.send({ request_headers: headers({ ":method": "POST", "content-type": "application/json" }), metadata_context: forwarded(decision) });
    const head = await stream.send({ response_headers: headers({ ":status": "200", ...responseHeaders }) });
    if (head["immediate_response"] !== undefined && head["immediate_response"] !== null) return { headers: head, bodies: [], out: "" };
    const bodies: (string | null)[] = [];
    let out = "";
    for (const [i, chunk] of chunks.entries()) {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      const answer = await stream.send({ response_body: { body: buffer, end_of_stream: i === chunks.length - 1 } });
      const body = bodyOf(answer, "response_body");
      bodies.push(body);
      out += body ?? buffer.toString("utf8");
    }
    return { headers: head, bodies, out };
  } finally {
    stream.end();
  }
}

describe("ext_proc stream attacks", () => {
  it("a stream without a forwarded ext_authz decision is refused before any body passes", async () => {
    const stream = client.open();
    const answer = await stream.send({ request_headers: headers({ ":method": "POST", "content-type": "application/json" }) });
    stream.end();
    expect(answer["immediate_response"]).toMatchObject({ status: { code: "InternalServerError" } });
  });

  it("a forwarded deny (a config that runs ext_proc for refused calls) is refused too", async () => {
    const stream = client.open();
    const answer = await stream.send({ request_headers: headers({ ":method": "POST" }), metadata_context: forwarded({ ...READ, outcome: "deny" }) });
    stream.end();
    expect(answer["immediate_response"]).toBeDefined();
    expect(answer["immediate_response"]).not.toBeNull();
  });

  it("a compressed tools/list answer is refused (502), not passed unread", async () => {
    const { headers: head } = await responseThrough(LIST, { "content-type": "application/json", "content-encoding": "gzip" }, [gzipSync(JSON.stringify(TOOLS))]);
    expect(head["immediate_response"]).toMatchObject({ status: { code: "BadGateway" } });
  });

  it("a tools/list answer in a content type Aegis cannot read is refused (502)", async () => {
    const { headers: head } = await responseThrough(LIST, { "content-type": "text/plain" }, [JSON.stringify(TOOLS)]);
    expect(head["immediate_response"]).toMatchObject({ status: { code: "BadGateway" } });
  });

  it("a tools/list result whose tools is not a list becomes a JSON-RPC error, not an unfiltered pass", async () => {
    const bogus = { jsonrpc: "2.0", id: 9, result: { tools: { delete_document: {} } } };
    const { out } = await responseThrough(LIST, { "content-type": "application/json" }, [JSON.stringify(bogus)]);
    expect(JSON.parse(out)).toMatchObject({ jsonrpc: "2.0", id: 9, error: { code: -32603 } });
  });

  it("an SSE tools/list event split across chunks (CRLF line ends) is still filtered", async () => {
    const event = `event: message\r\ndata: ${JSON.stringify(TOOLS)}\r\n\r\n`;
    const cut = event.indexOf("delete_document") + 3;
    const { out } = await responseThrough(LIST, { "content-type": "text/event-stream" }, [event.slice(0, cut), event.slice(cut), ""]);
    expect(out).not.toContain("delete_document");
    expect(out).not.toContain("read_document");
    const data = out.split("\n").find((l) => l.startsWith("data: "))!.slice(6);
    expect(JSON.parse(data).result.tools).toEqual([{ name: "search_documents" }]);
  });

  it("a JSON-RPC batch answer has every tools/list result filtered", async () => {
    const { out } = await responseThrough(LIST, { "content-type": "application/json" }, [JSON.stringify([TOOLS, { ...TOOLS, id: 2 }])]);
    expect(out).not.toContain("delete_document");
  });

  it("a tools/list result delivered on a GET (resumed) stream is filtered too", async () => {
    const { out } = await responseThrough({ ...LIST, mcp_method: "GET" }, { "content-type": "text/event-stream" }, [`id: 7\ndata: ${JSON.stringify(TOOLS)}\n\n`]);
    expect(out).not.toContain("delete_document");
    expect(out.startsWith("id: 7\n")).toBe(true);
  });

  it("a secret split across SSE chunks is still redacted", async () => {
    const result = { jsonrpc: "2.0", id: 3, result: { content: [{ type: "text", text: `key ${FAKE_API_KEY} card ${FAKE_CARD}` }] } };
    const event = `data: ${JSON.stringify(result)}\n\n`;
    const cut = event.indexOf(FAKE_API_KEY) + 10;
    const { out } = await responseThrough(READ, { "content-type": "text/event-stream" }, [event.slice(0, cut), event.slice(cut)]);
    expect(out).not.toContain(FAKE_API_KEY);
    expect(out).not.toContain(FAKE_CARD);
    expect(out).toContain("key [REDACTED] card [REDACTED]");
  });

  it("a secret in a compressed tool result is refused (502), not passed unread", async () => {
    const result = { jsonrpc: "2.0", id: 3, result: { content: [{ type: "text", text: FAKE_API_KEY }] } };
    const { headers: head } = await responseThrough(READ, { "content-type": "application/json", "content-encoding": "br" }, [JSON.stringify(result)]);
    expect(head["immediate_response"]).toMatchObject({ status: { code: "BadGateway" } });
  });

  it("a sanitize decision's body that is not valid JSON is refused (400), not forwarded unredacted", async () => {
    const stream = client.open();
    try {
      await stream.send({
        request_headers: headers({ ":method": "POST", "content-type": "application/json" }),
        metadata_context: forwarded({ decision_id: "d-pay", outcome: "sanitize", policy_version: "v", tenant: "acme", agent: "pay-agent", tool: "stripe-payments", action: "create_payment", redact_params: ["card_number"] } as never),
      });
      const answer = await stream.send({ request_body: { body: Buffer.from(`{"card_number":"${FAKE_CARD}"`), end_of_stream: true } });
      expect(answer["immediate_response"]).toMatchObject({ status: { code: "BadRequest" } });
      expect(JSON.stringify(answer)).not.toContain(FAKE_CARD);
    } finally {
      stream.end();
    }
  });

  it("a shadow-mode decision rewrites nothing (and asks Envoy for no body)", async () => {
    const stream = client.open();
    try {
      const answer = await stream.send({ request_headers: headers({ ":method": "POST" }), metadata_context: forwarded({ ...LIST, shadow: true } as never) });
      expect(answer["mode_override"]).toMatchObject({ request_body_mode: "NONE", response_header_mode: "SKIP", response_body_mode: "NONE" });
    } finally {
      stream.end();
    }
  });
});
