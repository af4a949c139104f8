// A server that asks the client's LLM while it answers a tools/call (sampling/createMessage), as
// the conformance scenario tools-call-sampling does, through the real Envoy with the shipped
// deploy/envoy/mcp.yaml and a real `aegis serve`. The server's request reaches the client on the
// standalone GET stream (server.createMessage without a related request, what the conformance
// server does) or on the tools/call's own SSE stream (extra.sendRequest); the client answers with
// a JSON-RPC response POST, and the tool's result must come back, whichever stream carried it.
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CreateMessageRequestSchema, CreateMessageResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { startAegisProcess, type RunningAegisProcess } from "../support/aegis-server.ts";
import { aegis } from "../support/cli.ts";
import { sidecarFetch } from "./support/sidecar-fetch.ts";
import { startMcpEnvoy, type RunningMcpEnvoy } from "./support/envoy-mcp.ts";

const MCP_URL = "http://mcp.acme.internal/mcp";

const policy = `apiVersion: aegis/v1
kind: Tenant
tenant: acme
egress_allowlist: [mcp.acme.internal]
---
apiVersion: aegis/v1
kind: AgentPolicy
tenant: acme
agent: sampling-agent
allowed_tools:
  - name: payments-mcp
    protocol: mcp
    actions:
      - ask_llm
      - ask_llm_related
      - name: ask_llm_redacted
        sanitize:
          response:
            paths: [structuredContent.secret]
`;

interface ToolResult {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
}

function buildServer(): McpServer {
  const server = new McpServer({ name: "payments-mcp", version: "1.0.0" }, { capabilities: {} });
  const ask = (prompt: string) => ({ messages: [{ role: "user" as const, content: { type: "text" as const, text: prompt } }], maxTokens: 50 });
  const answerText = (r: { content: { type: string; text?: string } }) => (r.content.type === "text" ? (r.content.text ?? "") : "");
  // No related request: the SDK sends it on the session's standalone GET stream.
  server.registerTool("ask_llm", { description: "Asks the client's LLM", inputSchema: { prompt: z.string() } }, async ({ prompt }) => {
    const answer = await server.server.createMessage(ask(prompt));
    return { content: [{ type: "text", text: `LLM response: ${answerText(answer)}` }] };
  });
  // Related to the tools/call: sent on that call's own SSE stream.
  server.registerTool("ask_llm_related", { description: "Asks the client's LLM", inputSchema: { prompt: z.string() } }, async ({ prompt }, extra) => {
    const answer = await extra.sendRequest({ method: "sampling/createMessage", params: ask(prompt) }, CreateMessageResultSchema);
    return { content: [{ type: "text", text: `LLM response: ${answerText(answer)}` }] };
  });
  server.registerTool("ask_llm_redacted", { description: "Asks the client's LLM", inputSchema: { prompt: z.string() } }, async ({ prompt }, extra) => {
    const answer = await extra.sendRequest({ method: "sampling/createMessage", params: ask(prompt) }, CreateMessageResultSchema);
    return { content: [{ type: "text", text: `LLM response: ${answerText(answer)}` }], structuredContent: { answer: answerText(answer), secret: "s3cr3t" } };
  });
  return server;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? undefined : (JSON.parse(text) as unknown);
}

async function startSamplingServer(): Promise<{ port: number; arrived: string[]; arrivedAt: number[]; close(): Promise<void> }> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  // The HTTP method, or the JSON-RPC method of a POST, in the order requests reached the server.
  const arrived: string[] = [];
  const arrivedAt: number[] = [];
  const http: Server = createServer((req, res) => {
    void (async () => {
      const body = req.method === "POST" ? await readBody(req) : undefined;
      const rpc = typeof body === "object" && body !== null ? (body as { method?: unknown }).method : undefined;
      arrived.push(typeof rpc === "string" ? rpc : req.method === "POST" ? "response" : (req.method ?? ""));
      arrivedAt.push(Date.now());
      const sessionId = req.headers["mcp-session-id"];
      const existing = typeof sessionId === "string" ? transports.get(sessionId) : undefined;
      if (existing !== undefined) return existing.handleRequest(req, res, body);
      if (typeof sessionId === "string") {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32001, message: "Session not found" } }));
        return;
      }
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => void transports.set(id, transport),
      });
      transport.onclose = () => {
        if (transport.sessionId !== undefined) transports.delete(transport.sessionId);
      };
      await buildServer().connect(transport);
      await transport.handleRequest(req, res, body);
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return {
    port: (http.address() as AddressInfo).port,
    arrived,
    arrivedAt,
    async close() {
      await Promise.all([...transports.values()].map((t) => t.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

describe("sampling through the sidecar: the server asks the client's LLM while it answers a tools/call", () => {
  const work = mkdtempSync(join(tmpdir(), "aegis-sampling-"));
  let upstream: Awaited<ReturnType<typeof startSamplingServer>> | undefined;
  let server: RunningAegisProcess | undefined;
  let envoy: RunningMcpEnvoy | undefined;
  let client: Client | undefined;
  const asked: string[] = [];

  beforeAll(async () => {
    upstream = await startSamplingServer();
    const policies = join(work, "policies");
    mkdirSync(policies);
    writeFileSync(join(policies, "sampling.yaml"), policy);
    const bundle = join(work, "bundle.tar.gz");
    const built = aegis(["build", policies, "-o", bundle]);
    if (built.code !== 0) throw new Error(`aegis build failed: ${built.stderr}`);
    server = await startAegisProcess({ args: ["--bundle", bundle, "--state", `sqlite:${join(work, "state.db")}`, "--trust-identity-headers"] });
    envoy = await startMcpEnvoy({ aegisPort: server.grpcPort, mcpPort: upstream.port, agent: "sampling-agent" });
    client = new Client({ name: "aegis-sampling-agent", version: "1.0.0" }, { capabilities: { sampling: {} } });
    client.setRequestHandler(CreateMessageRequestSchema, (request) => {
      const content = request.params.messages[0]?.content;
      asked.push(content !== undefined && !Array.isArray(content) && content.type === "text" ? content.text : "");
      return { role: "assistant", content: { type: "text", text: "four" }, model: "test-model", stopReason: "endTurn" };
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(MCP_URL), { fetch: sidecarFetch(envoy.port) }));
  }, 120_000);

  afterAll(async () => {
    try {
      await client?.close();
      await envoy?.stop();
      await server?.stop();
      await upstream?.close();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  const call = (name: string, prompt: string) => client!.callTool({ name, arguments: { prompt } }, undefined, { timeout: 10_000 }) as Promise<ToolResult>;

  it("answers on the standalone GET stream: the client's response POST reaches the server and the call finishes", async () => {
    // The SDK opens the GET stream in the background after initialize; a server request sent
    // before it exists has no stream to go on (the SDK's race, not the sidecar's), so wait for it.
    const deadline = Date.now() + 10_000;
    while (!upstream!.arrived.includes("GET") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const result = await call("ask_llm", "2+2?");
    expect(result.isError).toBeFalsy();
    expect(result.content).toEqual([{ type: "text", text: "LLM response: four" }]);
    expect(asked).toContain("2+2?");
  });

  it("answers on the tools/call's own SSE stream", async () => {
    const result = await call("ask_llm_related", "3+3?");
    expect(result.isError).toBeFalsy();
    expect(result.content).toEqual([{ type: "text", text: "LLM response: four" }]);
  });

  it("answers on a tools/call stream ext_proc reads for a response rule, which still redacts the result", async () => {
    const result = await call("ask_llm_redacted", "4+4?");
    expect(result.isError).toBeFalsy();
    expect(result.content).toEqual([{ type: "text", text: "LLM response: four" }]);
    expect(result.structuredContent).toEqual({ answer: "four", secret: "[REDACTED]" });
  });

  it("does it again on the same session (the GET stream still carries the server's requests)", async () => {
    const result = await call("ask_llm", "5+5?");
    expect(result.content).toEqual([{ type: "text", text: "LLM response: four" }]);
  });

  it("lets the GET stream through at once: it reaches the server within seconds of initialize (ext_proc reads only its response)", () => {
    const get = upstream!.arrived.indexOf("GET");
    const initialized = upstream!.arrived.indexOf("notifications/initialized");
    expect(get).toBeGreaterThan(initialized);
    // A sidecar that held the stream (buffering a body it never gets) would keep it until a timeout.
    expect(upstream!.arrivedAt[get]! - upstream!.arrivedAt[initialized]!).toBeLessThan(5_000);
  });
});
