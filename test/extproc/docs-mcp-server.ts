// A document-store MCP server (the official SDK's McpServer behind StreamableHTTPServerTransport),
// stateless or stateful, answering with JSON or SSE. read_document returns a result carrying a
// fake API key, a fake card number and an owner token; search_documents returns nothing secret.
// read_document waits `delay_ms` first when asked, so a test can kill Aegis mid-stream.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";
import { FAKE_API_KEY, FAKE_CARD } from "./policies.ts";

export const OWNER_TOKEN = "owner-token-do-not-leak-42";
export const TOOL_NAMES = ["delete_document", "read_document", "search_documents", "update_document"];

export interface RunningDocsServer {
  readonly port: number;
  close(): Promise<void>;
}

function build(): McpServer {
  const server = new McpServer({ name: "docs-mcp", version: "1.0.0" });
  server.registerTool(
    "read_document",
    { description: "Read a document", inputSchema: { doc: z.string(), delay_ms: z.number().optional() }, outputSchema: { doc: z.string(), owner_token: z.string() } },
    async ({ doc, delay_ms }) => {
      if (delay_ms !== undefined) await new Promise((r) => setTimeout(r, delay_ms));
      return {
        content: [{ type: "text" as const, text: `Deploy notes for ${doc}: use key ${FAKE_API_KEY}; corporate card ${FAKE_CARD.replace(/(\d{4})(?=\d)/g, "$1 ")}.` }],
        structuredContent: { doc, owner_token: OWNER_TOKEN },
      };
    },
  );
  server.registerTool("search_documents", { description: "Search", inputSchema: { q: z.string() } }, ({ q }) => ({
    content: [{ type: "text" as const, text: `3 documents match "${q}": handbook, onboarding, travel.` }],
  }));
  server.registerTool("update_document", { description: "Update", inputSchema: { doc: z.string() } }, () => ({ content: [{ type: "text" as const, text: "updated" }] }));
  server.registerTool("delete_document", { description: "Delete", inputSchema: { doc: z.string() } }, () => ({ content: [{ type: "text" as const, text: "deleted" }] }));
  return server;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? undefined : (JSON.parse(text) as unknown);
}

export async function startDocsServer(opts: { stateful: boolean; json: boolean }): Promise<RunningDocsServer> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const http: Server = createServer((req, res) => {
    void (async () => {
      const body = req.method === "POST" ? await readBody(req) : undefined;
      if (!opts.stateful) {
        const server = build();
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: opts.json });
        res.on("close", () => void transport.close().then(() => server.close()));
        await server.connect(transport);
        await transport.handleRequest(req, res, body);
        return;
      }
      const id = req.headers["mcp-session-id"];
      const existing = typeof id === "string" ? sessions.get(id) : undefined;
      if (existing !== undefined) return existing.handleRequest(req, res, body);
      const server = build();
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: opts.json,
        onsessioninitialized: (sid) => void sessions.set(sid, transport),
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return {
    port: (http.address() as AddressInfo).port,
    async close() {
      await Promise.all([...sessions.values()].map((t) => t.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
