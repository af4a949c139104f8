// The official TypeScript MCP SDK, client and server, through the real Envoy with the shipped
// deploy/envoy/mcp.yaml and a real `aegis serve` on the example policy (policies/examples/mcp-agent):
// stateless and stateful servers, JSON and SSE answers. Every refusal must reach the client as an
// MCP answer: callTool resolves with a tool error it can read, never a transport failure.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { LoggingMessageNotificationSchema, McpError } from "@modelcontextprotocol/sdk/types.js";
import { sidecarFetch } from "./support/sidecar-fetch.ts";
import { MCP_URL, startMcpStack, type McpStack } from "./support/stack.ts";

interface ToolResult {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
}

const text = (r: ToolResult) => r.content.map((c) => c.text ?? "").join(" ");
const callsTo = (stack: McpStack, name: string) => stack.upstream.calls.filter((c) => c.name === name);

describe.each([
  { label: "stateless server, JSON answers", stateful: false, json: true },
  { label: "stateful server, SSE answers", stateful: true, json: false },
])("MCP SDK client through the sidecar: $label", ({ stateful, json }) => {
  let stack: McpStack;
  let client: Client;

  beforeAll(async () => {
    stack = await startMcpStack({ stateful, json });
    client = await stack.connect();
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it("connects (initialize and its notification pass as protocol traffic) and lists the tools it may call", async () => {
    const { tools } = await client.listTools();
    // The server offers delete_document too; ext_proc hides it, since the policy does not allow it.
    expect(tools.map((t) => t.name).sort()).toEqual(["create_payment", "read_document"]);
    expect(stack.upstream.requests.map((r) => r.rpc)).toEqual(expect.arrayContaining(["initialize", "notifications/initialized", "tools/list"]));
    await expect(client.ping()).resolves.toBeDefined();
  });

  it("lets an allowed call through, a tool without conditions needing no amount", async () => {
    const result = (await client.callTool({ name: "read_document", arguments: { doc: "handbook" } })) as ToolResult;
    expect(result.isError).toBeFalsy();
    expect(text(result)).toBe("read_document done");
  });

  it("answers a tool the policy does not list with a tool error the agent can read", async () => {
    const result = (await client.callTool({ name: "delete_document", arguments: { doc: "handbook" } })) as ToolResult;
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ error: "PolicyViolation", reason: "action_not_allowed", rule_id: "acme/mcp-agent/allowed_tools/payments-mcp/actions" });
    expect(result.structuredContent!["decision_id"]).toEqual(expect.any(String));
    expect(text(result)).toMatch(/^Aegis refused the call to the tool delete_document: .*\(action_not_allowed\)/);
    expect(callsTo(stack, "delete_document")).toHaveLength(0);
  });

  it("answers an amount over the hard limit with a tool error", async () => {
    const result = (await client.callTool({ name: "create_payment", arguments: { amount: 5001 } })) as ToolResult;
    expect(result).toMatchObject({ isError: true, structuredContent: { reason: "blocked_over_hard_limit" } });
    expect(callsTo(stack, "create_payment").filter((c) => c.arguments["amount"] === 5001)).toHaveLength(0);
  });

  it("answers arguments it cannot judge (names that collide) with JSON-RPC -32602", async () => {
    const call = client.callTool({ name: "create_payment", arguments: { amount: 10, AMOUNT: 99999 } });
    await expect(call).rejects.toBeInstanceOf(McpError);
    await expect(call).rejects.toMatchObject({ code: -32602 });
  });

  it("holds a payment in the approval band; after approval the retry with the token in _meta goes through once, a replay is refused by name", async () => {
    const args = { amount: 300, currency: "eur" };
    const pending = (await client.callTool({ name: "create_payment", arguments: args })) as ToolResult;
    expect(pending).toMatchObject({ isError: true, structuredContent: { error: "approval_pending", reason: "approval_needed" } });
    const approvalId = pending.structuredContent!["approval_id"] as string;
    const expiresAt = pending.structuredContent!["expires_at"] as string;
    expect(text(pending)).toContain(`approval ${approvalId}`);
    expect(text(pending)).toContain(expiresAt);
    expect(callsTo(stack, "create_payment").filter((c) => c.arguments["amount"] === 300)).toHaveLength(0);

    const token = await stack.approve(approvalId);
    const withToken = { name: "create_payment", arguments: args, _meta: { "aegis/override_token": token } };
    const through = (await client.callTool(withToken)) as ToolResult;
    expect(through.isError).toBeFalsy();
    expect(callsTo(stack, "create_payment").filter((c) => c.arguments["amount"] === 300)).toHaveLength(1);

    const replay = (await client.callTool(withToken)) as ToolResult;
    expect(replay).toMatchObject({ isError: true, structuredContent: { error: "PolicyViolation", reason: "override_token_used", rule_id: "aegis/override_token" } });
    expect(text(replay)).toContain("already used once");
    expect(callsTo(stack, "create_payment").filter((c) => c.arguments["amount"] === 300)).toHaveLength(1);
  });

  it("with redeem: identity, the identical retry by the same agent goes through once without a token", async () => {
    const args = { amount: 301 };
    const pending = (await client.callTool({ name: "create_payment", arguments: args })) as ToolResult;
    const approvalId = pending.structuredContent!["approval_id"] as string;
    expect(text(pending)).toMatch(/then retry the identical call\.$/);
    // Retried before approval: the same pending approval, not a second one.
    const again = (await client.callTool({ name: "create_payment", arguments: args })) as ToolResult;
    expect(again.structuredContent!["approval_id"]).toBe(approvalId);

    await stack.approve(approvalId);
    const through = (await client.callTool({ name: "create_payment", arguments: args })) as ToolResult;
    expect(through.isError).toBeFalsy();
    const replay = (await client.callTool({ name: "create_payment", arguments: args })) as ToolResult;
    expect(replay).toMatchObject({ isError: true, structuredContent: { error: "approval_pending" } });
    expect(replay.structuredContent!["approval_id"]).not.toBe(approvalId);
    // A different amount is a different call: the approval does not cover it.
    const other = (await client.callTool({ name: "create_payment", arguments: { amount: 302 } })) as ToolResult;
    expect(other.structuredContent).toMatchObject({ error: "approval_pending" });
    expect(callsTo(stack, "create_payment").filter((c) => c.arguments["amount"] === 301)).toHaveLength(1);
    expect(callsTo(stack, "create_payment").filter((c) => c.arguments["amount"] === 302)).toHaveLength(0);
  });

  it("refuses an Mcp-Name header that names another tool than the body (invalid_request, never forwarded)", async () => {
    const res = await sidecarFetch(stack.envoy.port, { "mcp-method": "tools/call", "mcp-name": "read_document" })(MCP_URL, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 77, method: "tools/call", params: { name: "delete_document", arguments: { doc: "x" } } }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ jsonrpc: "2.0", id: 77, error: { code: -32600, data: { error: "invalid_request" } } });
    expect(callsTo(stack, "delete_document")).toHaveLength(0);
  });

  it("answers a body over the sidecar's limit with 413 before the server sees it", async () => {
    const before = stack.upstream.calls.length;
    await expect(client.callTool({ name: "read_document", arguments: { doc: "x".repeat(70_000) } })).rejects.toMatchObject({ code: 413 });
    expect(stack.upstream.calls.length).toBe(before);
  });

  it("passes a notification", async () => {
    await client.notification({ method: "notifications/cancelled", params: { requestId: 12345, reason: "no longer needed" } });
    expect(stack.upstream.requests.some((r) => r.rpc === "notifications/cancelled")).toBe(true);
  });

  it("records the MCP method, and the session of a stateful server, in the decision log", async () => {
    const records = stack.decisions().filter((r) => r["tool"] === "payments-mcp");
    const call = records.find((r) => (r["mcp"] as { method?: string } | undefined)?.method === "tools/call");
    expect(call?.["mcp"]).toMatchObject({ method: "tools/call", protocol_version: expect.any(String) });
    if (stateful) expect((call?.["mcp"] as { session_id: unknown }).session_id).toEqual(expect.any(String));
    // The override token never reaches the log, wherever it was sent.
    expect(JSON.stringify(stack.decisions())).not.toMatch(/aegis_ot_/);
  });

  it.runIf(stateful)("keeps the SSE stream open for 60 s and still delivers a server notification", async () => {
    const received: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void received.push(String(n.params.data)));
    await new Promise((r) => setTimeout(r, 61_000));
    await stack.upstream.notifyAll("still here");
    const deadline = Date.now() + 10_000;
    while (!received.includes("still here") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(received).toContain("still here");
  }, 120_000);
});
