// The official MCP TypeScript SDK client and server through the real Envoy with the shipped
// deploy/envoy/mcp.yaml (ext_authz, then ext_proc), for JSON and SSE answers, stateless and
// stateful servers: listTools() shows only the tools the agent may call (a narrower policy sees
// a narrower list from the same server), and a tool result carrying a fake API key, a card number
// and an owner token reaches the client redacted, while a clean one passes byte-identical.
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAegisProcess, type RunningAegisProcess } from "../support/aegis-server.ts";
import { startMcpEnvoy, type RunningMcpEnvoy } from "../mcp/support/envoy-mcp.ts";
import { sidecarFetch } from "../mcp/support/sidecar-fetch.ts";
import { MCP_URL } from "../mcp/support/stack.ts";
import { OWNER_TOKEN, startDocsServer, type RunningDocsServer } from "./docs-mcp-server.ts";
import { buildExtProcBundle, FAKE_API_KEY, FAKE_CARD } from "./policies.ts";

interface ToolResult {
  isError?: boolean;
  content: { type: string; text: string }[];
  structuredContent?: Record<string, unknown>;
}

let dir: string;
let server: RunningAegisProcess;

beforeAll(async () => {
  const built = buildExtProcBundle();
  dir = built.dir;
  server = await startAegisProcess({
    args: ["--bundle", built.bundle, "--state", `sqlite:${join(dir, "state.db")}`, "--trust-identity-headers", "--decision-log", join(dir, "decisions.log")],
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe.each([
  { stateful: false, json: true },
  { stateful: false, json: false },
  { stateful: true, json: true },
  { stateful: true, json: false },
])("stateful=$stateful json=$json", (mode) => {
  let upstream: RunningDocsServer;
  let wide: RunningMcpEnvoy;
  let narrow: RunningMcpEnvoy;
  const clients: Client[] = [];

  async function connect(envoy: RunningMcpEnvoy): Promise<Client> {
    const client = new Client({ name: "extproc-test-agent", version: "1.0.0" });
    clients.push(client);
    await client.connect(new StreamableHTTPClientTransport(new URL(MCP_URL), { fetch: sidecarFetch(envoy.port) }));
    return client;
  }

  beforeAll(async () => {
    upstream = await startDocsServer(mode);
    wide = await startMcpEnvoy({ aegisPort: server.grpcPort, mcpPort: upstream.port, agent: "mcp-wide" });
    narrow = await startMcpEnvoy({ aegisPort: server.grpcPort, mcpPort: upstream.port, agent: "mcp-narrow" });
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await wide?.stop();
    await narrow?.stop();
    await upstream?.close();
  });

  it("listTools() returns only the tools the agent may call", async () => {
    const client = await connect(wide);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["read_document", "search_documents", "update_document"]);
  });

  it("an agent sending x-aegis-ext-proc: skip itself still gets the filtered list", async () => {
    const client = new Client({ name: "extproc-test-agent", version: "1.0.0" });
    clients.push(client);
    await client.connect(new StreamableHTTPClientTransport(new URL(MCP_URL), { fetch: sidecarFetch(narrow.port, { "x-aegis-ext-proc": "skip" }) }));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["search_documents"]);
  });

  it("a narrower policy sees a narrower list from the same server", async () => {
    const client = await connect(narrow);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["search_documents"]);
  });

  it("a tool result with a fake API key, a card number and an owner token reaches the client redacted", async () => {
    const client = await connect(wide);
    const result = (await client.callTool({ name: "read_document", arguments: { doc: "deploy" } })) as ToolResult;
    const text = JSON.stringify(result);
    expect(text).not.toContain(FAKE_API_KEY);
    expect(text.replace(/ /g, "")).not.toContain(FAKE_CARD);
    expect(text).not.toContain(OWNER_TOKEN);
    expect(result.content[0]?.text).toBe("Deploy notes for deploy: use key [REDACTED]; corporate card [REDACTED].");
    expect(result.structuredContent).toEqual({ doc: "deploy", owner_token: "[REDACTED]" });
  });

  it("a tool result with no secret is passed unchanged", async () => {
    const client = await connect(wide);
    const result = (await client.callTool({ name: "search_documents", arguments: { q: "travel" } })) as ToolResult;
    expect(result.content).toEqual([{ type: "text", text: '3 documents match "travel": handbook, onboarding, travel.' }]);
  });

  it.runIf(!mode.stateful)("a clean tool result's bytes through the sidecar are the server's bytes, a redacted one's are not", async () => {
    const post = async (port: number, body: object) => {
      const res = await sidecarFetch(port)(MCP_URL, {
        method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: JSON.stringify(body),
      });
      return { status: res.status, text: await res.text() };
    };
    const clean = { jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "search_documents", arguments: { q: "travel" } } };
    const direct = await post(upstream.port, clean);
    const through = await post(wide.port, clean);
    expect(direct.status).toBe(200);
    expect(through).toEqual(direct);
    const secret = { jsonrpc: "2.0", id: 6, method: "tools/call", params: { name: "read_document", arguments: { doc: "deploy" } } };
    const secretDirect = await post(upstream.port, secret);
    const secretThrough = await post(wide.port, secret);
    expect(secretDirect.text).toContain(FAKE_API_KEY);
    expect(secretThrough.status).toBe(200);
    expect(secretThrough.text).not.toContain(FAKE_API_KEY);
    expect(secretThrough.text).toContain("[REDACTED]");
  });
});

describe("the decision log", () => {
  it("records each response redaction and hidden tool by rule, kind and place, never the value", async () => {
    const { readFileSync } = await import("node:fs");
    const lines = readFileSync(join(dir, "decisions.log"), "utf8").split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
    const extProc = lines.filter((l) => l["type"] === "ext_proc");
    const redacted = extProc.find((l) => Array.isArray(l["redactions"]));
    expect(redacted).toMatchObject({ agent_id: "mcp-wide", tool: "payments-mcp", action: "read_document", phase: "response" });
    expect(redacted!["redactions"]).toEqual(expect.arrayContaining([
      expect.objectContaining({ rule_id: "acme/mcp-wide/allowed_tools/payments-mcp/actions/read_document/sanitize/response", kind: "pattern", name: "api_key", at: "content.0.text" }),
      expect.objectContaining({ kind: "pattern", name: "card_number", at: "content.0.text" }),
      expect.objectContaining({ kind: "path", name: "structuredContent.owner_token", at: "structuredContent.owner_token" }),
    ]));
    expect(extProc.find((l) => Array.isArray(l["tools_hidden"]) && l["agent_id"] === "mcp-narrow")?.["tools_hidden"]).toEqual(
      expect.arrayContaining(["read_document", "update_document", "delete_document"]),
    );
    const all = readFileSync(join(dir, "decisions.log"), "utf8");
    expect(all).not.toContain(FAKE_API_KEY);
    expect(all).not.toContain(OWNER_TOKEN);
    expect(server.logs()).not.toContain(FAKE_API_KEY);
  });

  it("counts redactions and hidden tools in the metrics", async () => {
    const metrics = await (await fetch(`${server.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/aegis_extproc_redactions_total\{phase="response",kind="pattern"\} [1-9]/);
    expect(metrics).toMatch(/aegis_extproc_tools_hidden_total [1-9]/);
  });
});
