// Attacks on the MCP reading, performed through the real Envoy with deploy/envoy/mcp.yaml, a real
// `aegis serve` and an SDK MCP server that records what reached it (and over gRPC for what Envoy
// itself would not send). Each must be refused with a clear answer and never reach the server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkRequest } from "../support/check-request-builder.ts";
import { connectCheckClient, type CheckClient } from "../support/grpc-check-client.ts";
import { sidecarFetch } from "../mcp/support/sidecar-fetch.ts";
import { MCP_URL, startMcpStack, type McpStack } from "../mcp/support/stack.ts";

const OTHER_AGENT = `apiVersion: aegis/v1
kind: AgentPolicy
tenant: acme
agent: mcp-agent-2
allowed_tools:
  - name: payments-mcp
    protocol: mcp
    actions:
      - name: create_payment
        conditions: { max_amount: 500, approval_threshold: 200 }
approvals: { redeem: identity }
`;

const HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25" };

describe("MCP protocol attacks through the sidecar", () => {
  let stack: McpStack;
  let grpc: CheckClient;
  let post: (body: string, headers?: Record<string, string>) => Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any

  beforeAll(async () => {
    stack = await startMcpStack({ stateful: false, json: true, extraPolicies: { "mcp-agent-2": OTHER_AGENT } });
    grpc = connectCheckClient(stack.server.grpcPort);
    post = async (body, headers = {}) => {
      const res = await sidecarFetch(stack.envoy.port)(MCP_URL, { method: "POST", headers: { ...HEADERS, ...headers }, body });
      const text = await res.text();
      return { status: res.status, body: text.startsWith("{") ? JSON.parse(text) : text };
    };
  }, 120_000);

  afterAll(async () => {
    grpc?.close();
    await stack?.stop();
  });

  const deleteCall = (id: unknown = 1) => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "delete_document", arguments: { doc: "all" } } });
  const reachedDelete = () => stack.upstream.calls.some((c) => c.name === "delete_document");

  it("refuses an Mcp-Method header that hides a tools/call as a tools/list", async () => {
    const answer = await post(JSON.stringify(deleteCall()), { "mcp-method": "tools/list" });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ id: 1, error: { code: -32600, data: { error: "invalid_request" } } });
    expect(answer.body.error.data.reason).toMatch(/Mcp-Method/);
    expect(reachedDelete()).toBe(false);
  });

  it("refuses an Mcp-Name header naming an allowed tool over a forbidden one", async () => {
    const answer = await post(JSON.stringify(deleteCall()), { "mcp-method": "tools/call", "mcp-name": "read_document" });
    expect(answer.status).toBe(400);
    expect(answer.body.error.data.reason).toMatch(/Mcp-Name/);
    expect(reachedDelete()).toBe(false);
  });

  it("refuses a JSON-RPC batch that smuggles a tools/call behind a ping", async () => {
    const answer = await post(JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "ping" }, deleteCall(2)]));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600 } });
    expect(reachedDelete()).toBe(false);
  });

  it("refuses a repeated method member (one reader sees ping, another tools/call)", async () => {
    const answer = await post('{"jsonrpc":"2.0","id":3,"method":"ping","method":"tools/call","params":{"name":"delete_document","arguments":{}}}');
    expect(answer.status).toBe(400);
    expect(answer.body.error.data.reason).toMatch(/repeated/);
    expect(reachedDelete()).toBe(false);
  });

  it("refuses a tools/call named like a reserved action", async () => {
    const answer = await post(JSON.stringify({ jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "resources:read", arguments: { uri: "file:///etc/passwd" } } }));
    expect(answer.status).toBe(400);
    expect(answer.body.error.data.reason).toMatch(/reserved/);
  });

  it("denies a method that is neither an action nor protocol traffic, as a JSON-RPC error", async () => {
    const answer = await post(JSON.stringify({ jsonrpc: "2.0", id: 5, method: "tools/call_all", params: {} }));
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ jsonrpc: "2.0", id: 5, error: { code: -32001, data: { error: "PolicyViolation", reason: "action_not_allowed" } } });
    expect(stack.upstream.requests.some((r) => r.rpc === "tools/call_all")).toBe(false);
  });

  it("refuses two different override tokens, one in the header and one in _meta", async () => {
    const body = { jsonrpc: "2.0", id: 6, method: "tools/call", params: { name: "create_payment", arguments: { amount: 300 }, _meta: { "aegis/override_token": "aegis_ot_" + "a".repeat(43) } } };
    const answer = await post(JSON.stringify(body), { "x-aegis-override-token": "aegis_ot_" + "b".repeat(43) });
    expect(answer.status).toBe(400);
    expect(answer.body.error.data.reason).toMatch(/twice/);
  });

  it("never writes an override token sent in _meta to the decision log", async () => {
    const token = "aegis_ot_" + "c".repeat(43);
    const answer = await post(JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "create_payment", arguments: { amount: 300 }, _meta: { "aegis/override_token": token } } }));
    expect(answer.body.result.structuredContent).toMatchObject({ reason: "override_token_unknown" });
    expect(JSON.stringify(stack.decisions())).not.toContain("c".repeat(43));
    expect(stack.server.logs()).not.toContain("c".repeat(43));
  });

  it("lets no other agent redeem an approval by identity", async () => {
    const args = { amount: 333 };
    const call = (agent: string) =>
      grpc.check(checkRequest({
        method: "POST", host: "mcp.acme.internal", path: "/mcp", contextExtensions: { tool: "payments-mcp", protocol: "mcp" },
        headers: { ...HEADERS, "x-aegis-tenant": "acme", "x-aegis-agent": agent },
        body: JSON.stringify({ jsonrpc: "2.0", id: 8, method: "tools/call", params: { name: "create_payment", arguments: args } }),
      }));
    const pending = await call("mcp-agent");
    const structured = (pending.body as { result: { structuredContent: { approval_id: string } } }).result.structuredContent;
    await stack.approve(structured.approval_id);
    const stranger = await call("mcp-agent-2");
    expect(stranger.kind).toBe("denied");
    expect((stranger.body as { result: { structuredContent: unknown } }).result.structuredContent).toMatchObject({ error: "approval_pending" });
    // The approval is still there for the agent it was granted to.
    expect((await call("mcp-agent")).kind).toBe("ok");
  });

  it("denies a partial MCP body body_truncated, whatever the part says", async () => {
    const answer = await grpc.check(checkRequest({
      method: "POST", host: "mcp.acme.internal", path: "/mcp", contextExtensions: { tool: "payments-mcp", protocol: "mcp" },
      headers: { ...HEADERS, "x-aegis-tenant": "acme", "x-aegis-agent": "mcp-agent", "x-envoy-auth-partial-body": "true" },
      body: '{"jsonrpc":"2.0","id":9,"method":"ping"',
    }));
    expect(answer.kind).toBe("denied");
    expect(answer.httpStatus).toBe("Forbidden");
    expect(answer.body).toMatchObject({ jsonrpc: "2.0", error: { code: -32001, data: { reason: "body_truncated" } } });
  });

  it("never lets an agent's own identity headers through the sidecar", async () => {
    // mcp-agent-2 may not read documents; the sidecar stamps mcp-agent over whatever is sent.
    const answer = await post(JSON.stringify({ jsonrpc: "2.0", id: 10, method: "tools/call", params: { name: "read_document", arguments: { doc: "a" } } }), { "x-aegis-agent": "mcp-agent-2" });
    expect(answer.status).toBe(200);
    expect(answer.body.result.isError).toBeFalsy();
    const record = stack.decisions().find((r) => r["action"] === "read_document");
    expect(record?.["agent_id"]).toBe("mcp-agent");
  });
});
