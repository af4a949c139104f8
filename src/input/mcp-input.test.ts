// Requests to an MCP server (SPEC §7) through fromCheckRequest: which marks make a tool MCP, what
// the policy input says, and what the answer needs when the request is refused.
import { describe, expect, it } from "vitest";
import type { CatalogEntry } from "./catalog.ts";
import { checkRequest, type CheckRequestParts } from "../../test/support/check-request-builder.ts";
import { fromCheckRequest, type InputContext } from "./from-check-request.ts";

const catalog: CatalogEntry[] = [{ host: "crm.acme.internal", method: "*", path: "/mcp", tool: "crm-mcp", action: "", protocol: "mcp" }];
const context = (overrides: Partial<InputContext> = {}): InputContext => ({
  identity: { tenant: "acme", agent: "a", source: "header" },
  catalog: () => catalog,
  callChain: { parent: null, depth: 0, verified: false, error: null },
  budgets: {},
  limits: { maxBodyBytes: 4096, maxParams: 50, maxDepth: 5 },
  ...overrides,
});
const post = (body: unknown, extra: Partial<CheckRequestParts> = {}): CheckRequestParts => ({
  method: "POST", host: "mcp.acme.internal", path: "/mcp", headers: { "content-type": "application/json" }, body: JSON.stringify(body), ...extra,
});
const initialize = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25" } };

describe("MCP requests in fromCheckRequest", () => {
  it.each<[string, CheckRequestParts, Partial<InputContext>]>([
    ["the route's protocol: mcp", post(initialize, { contextExtensions: { tool: "payments-mcp", protocol: "mcp" } }), {}],
    ["the policy entry's protocol: mcp", post(initialize, { contextExtensions: { tool: "payments-mcp" } }), { mcpTool: (t) => t === "payments-mcp" }],
    ["the catalog's protocol: mcp", post(initialize, { host: "crm.acme.internal" }), {}],
  ])("reads protocol traffic as MCP when %s marks the tool", (_, request, overrides) => {
    const result = fromCheckRequest(checkRequest(request), context(overrides));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.input.action).toBeNull();
    expect(result.input.params).toEqual({});
    expect(result.input.mcp).toEqual({ method: "initialize" });
    expect(result.mcp).toMatchObject({ method: "initialize", id: 1 });
  });

  it("takes the action from the body, never the route, and the token from _meta", () => {
    const body = { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "create_payment", arguments: { amount: 5 }, _meta: { "aegis/override_token": "tok" } } };
    const result = fromCheckRequest(checkRequest(post(body, { contextExtensions: { tool: "payments-mcp", action: "read_document", protocol: "mcp" } })), context());
    expect(result).toMatchObject({ ok: true, overrideToken: "tok", input: { action: "create_payment", params: { amount: 5 }, mcp: { method: "tools/call" } } });
  });

  it("reads a tool nobody marks as plain HTTP: a JSON initialize body is only parameters", () => {
    const result = fromCheckRequest(checkRequest(post(initialize, { contextExtensions: { tool: "payments-mcp", action: "x" } })), context());
    expect(result).toMatchObject({ ok: true, mcp: null, input: { action: "x" } });
    expect(result.ok && "mcp" in result.input).toBe(false);
  });

  it("keeps the id for the answer and says when only the arguments are wrong", () => {
    const ext = { contextExtensions: { tool: "payments-mcp", protocol: "mcp" } };
    const collide = fromCheckRequest(checkRequest(post({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "p", arguments: { a: 1, A: 2 } } }, ext)), context());
    expect(collide).toMatchObject({ ok: false, mcp: { id: 3, method: "tools/call", argumentsProblem: true } });
    const mismatch = fromCheckRequest(checkRequest(post({ jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "p" } }, { ...ext, headers: { "content-type": "application/json", "mcp-name": "q" } })), context());
    expect(mismatch).toMatchObject({ ok: false, mcp: { id: 4, argumentsProblem: false } });
    const form = fromCheckRequest(checkRequest({ ...post({}, ext), headers: { "content-type": "application/x-www-form-urlencoded" }, body: "a=1" }), context());
    expect(form).toMatchObject({ ok: false, mcp: { id: null } });
  });

  it("hides nothing in a partial body: no method, an MCP answer all the same", () => {
    const cut = fromCheckRequest(checkRequest(post(initialize, { contextExtensions: { tool: "payments-mcp", protocol: "mcp" }, headers: { "content-type": "application/json", "x-envoy-auth-partial-body": "true" } })), context());
    expect(cut).toMatchObject({ ok: true, input: { action: null, truncated_body: true, mcp: { method: null } }, mcp: { id: null } });
  });

  it("reads the SSE GET and the session DELETE", () => {
    const get = fromCheckRequest(checkRequest({ method: "GET", host: "mcp.acme.internal", path: "/mcp", contextExtensions: { tool: "t", protocol: "mcp" } }), context());
    expect(get).toMatchObject({ ok: true, input: { mcp: { method: "GET" } } });
    const del = fromCheckRequest(checkRequest({ method: "DELETE", host: "mcp.acme.internal", path: "/mcp", contextExtensions: { tool: "t", protocol: "mcp" } }), context());
    expect(del).toMatchObject({ ok: true, input: { mcp: { method: "DELETE" } } });
  });
});
