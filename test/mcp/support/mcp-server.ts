// The MCP server behind the sidecar: the official TypeScript SDK's McpServer with
// StreamableHTTPServerTransport, stateless (a server per request) or stateful (sessions), answering
// with JSON or SSE. It records every tools/call that reached it, so a test can prove a refused
// call never did.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

export interface McpServerOptions {
  readonly stateful: boolean;
  /** true: application/json answers; false: an SSE stream per POST. */
  readonly json: boolean;
}

export interface ReceivedCall {
  readonly name: string;
  readonly arguments: Record<string, unknown>;
  readonly meta: Record<string, unknown> | undefined;
}

export interface RunningMcpServer {
  readonly port: number;
  /** tools/call requests that reached the server, in order. */
  readonly calls: ReceivedCall[];
  /** HTTP requests that reached the server: method and Mcp-Method-less JSON-RPC method. */
  readonly requests: { method: string; rpc: string | null }[];
  /** Stateful only: sends a logging notification on every open session's standalone SSE stream. */
  notifyAll(message: string): Promise<void>;
  close(): Promise<void>;
}

function buildServer(calls: ReceivedCall[]): McpServer {
  const server = new McpServer({ name: "payments-mcp", version: "1.0.0" }, { capabilities: { logging: {} } });
  const record = (name: string) => (args: Record<string, unknown>, extra: { _meta?: Record<string, unknown> }) => {
    calls.push({ name, arguments: args, meta: extra._meta });
    return { content: [{ type: "text" as const, text: `${name} done` }] };
  };
  server.registerTool("read_document", { description: "Read a document", inputSchema: { doc: z.string() } }, (args, extra) => record("read_document")(args, extra));
  server.registerTool("create_payment", { description: "Pay", inputSchema: { amount: z.number(), currency: z.string().optional() } }, (args, extra) => record("create_payment")(args, extra));
  server.registerTool("delete_document", { description: "Delete a document", inputSchema: { doc: z.string() } }, (args, extra) => record("delete_document")(args, extra));
  return server;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? undefined : (JSON.parse(text) as unknown);
}

export async function startMcpServer(options: McpServerOptions): Promise<RunningMcpServer> {
  const calls: ReceivedCall[] = [];
  const requests: { method: string; rpc: string | null }[] = [];
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; server: McpServer }>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = req.method === "POST" ? await readBody(req) : undefined;
    const rpc = typeof body === "object" && body !== null && typeof (body as { method?: unknown }).method === "string" ? (body as { method: string }).method : null;
    requests.push({ method: req.method ?? "", rpc });
    if (!options.stateful) {
      const server = buildServer(calls);
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: options.json });
      res.on("close", () => void transport.close().then(() => server.close()));
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
      return;
    }
    const sessionId = req.headers["mcp-session-id"];
    const existing = typeof sessionId === "string" ? sessions.get(sessionId) : undefined;
    if (existing !== undefined) return existing.transport.handleRequest(req, res, body);
    if (typeof sessionId === "string" || rpc !== "initialize") {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32001, message: "Session not found" } }));
      return;
    }
    const server = buildServer(calls);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: options.json,
      onsessioninitialized: (id) => void sessions.set(id, { transport, server }),
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };

  const http: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return {
    port: (http.address() as AddressInfo).port,
    calls,
    requests,
    async notifyAll(message) {
      await Promise.all([...sessions.values()].map(({ server }) => server.sendLoggingMessage({ level: "info", data: message })));
    },
    async close() {
      await Promise.all([...sessions.values()].map(({ transport }) => transport.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
