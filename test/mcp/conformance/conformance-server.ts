// An MCP server for the conformance suite's server scenarios (npm @modelcontextprotocol/conformance),
// written against the requirements each scenario states, on the official TypeScript SDK
// (stateful Streamable HTTP, SSE answers). Run directly and behind the sidecar, it shows whether
// Envoy + Aegis change what a conforming server looks like to a client.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

// A 1×1 red PNG.
const RED_PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function build(): McpServer {
  const server = new McpServer({ name: "aegis-conformance-server", version: "1.0.0" }, { capabilities: { logging: {}, completions: {} } });
  server.registerTool("test_simple_text", { description: "Returns simple text" }, () => ({ content: [{ type: "text", text: "This is a simple text response for testing." }] }));
  server.registerTool("test_image_content", { description: "Returns an image" }, () => ({ content: [{ type: "image", data: RED_PIXEL, mimeType: "image/png" }] }));
  server.registerTool("test_error_handling", { description: "Always fails" }, () => {
    throw new Error("This tool intentionally returns an error for testing");
  });
  server.registerTool("test_tool_with_logging", { description: "Logs while it runs" }, async (extra) => {
    for (const [i, data] of ["Tool execution started", "Tool processing data", "Tool execution completed"].entries()) {
      if (i > 0) await sleep(50);
      await extra.sendNotification({ method: "notifications/message", params: { level: "info", data } });
    }
    return { content: [{ type: "text", text: "Logging tool done" }] };
  });
  server.registerTool("test_tool_with_progress", { description: "Reports progress" }, async (extra) => {
    const token = extra._meta?.progressToken;
    for (const [i, progress] of [0, 50, 100].entries()) {
      if (i > 0) await sleep(50);
      if (token !== undefined) await extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress, total: 100 } });
    }
    return { content: [{ type: "text", text: "Progress tool done" }] };
  });
  // The request goes on the tools/call's own SSE stream (related to it, as the spec says it should):
  // on the standalone GET stream it would race the client's GET, which the client opens without
  // waiting and the scenario does not wait for, and be lost whenever the GET arrived second
  // (test/mcp/sampling.test.ts covers that stream through the sidecar).
  server.registerTool("test_sampling", { description: "Asks the client's LLM", inputSchema: { prompt: z.string() } }, async ({ prompt }, extra) => {
    const answer = await server.server.createMessage({ messages: [{ role: "user", content: { type: "text", text: prompt } }], maxTokens: 100 }, { relatedRequestId: extra.requestId });
    const text = answer.content.type === "text" ? answer.content.text : "";
    return { content: [{ type: "text", text: `LLM response: ${text}` }] };
  });
  server.registerResource("static-text", "test://static-text", { description: "A static text resource", mimeType: "text/plain" }, (uri) => ({
    contents: [{ uri: uri.href, mimeType: "text/plain", text: "This is the content of the static text resource." }],
  }));
  server.registerResource("template", new ResourceTemplate("test://template/{id}/data", { list: undefined }), { description: "A templated resource", mimeType: "application/json" }, (uri, { id }) => ({
    contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${String(id)}` }) }],
  }));
  server.registerPrompt("test_simple_prompt", { description: "A simple prompt" }, () => ({
    messages: [{ role: "user", content: { type: "text", text: "This is a simple prompt for testing." } }],
  }));
  server.registerPrompt("test_prompt_with_arguments", { description: "A prompt with arguments", argsSchema: { arg1: z.string(), arg2: z.string() } }, ({ arg1, arg2 }) => ({
    messages: [{ role: "user", content: { type: "text", text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` } }],
  }));
  return server;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? undefined : (JSON.parse(text) as unknown);
}

export interface RunningConformanceServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startConformanceServer(): Promise<RunningConformanceServer> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const http: Server = createServer((req, res) => {
    void (async () => {
      const body = req.method === "POST" ? await readBody(req) : undefined;
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
      await build().connect(transport);
      await transport.handleRequest(req, res, body);
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return {
    port: (http.address() as AddressInfo).port,
    async close() {
      await Promise.all([...transports.values()].map((t) => t.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
