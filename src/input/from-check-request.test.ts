import { describe, expect, it } from "vitest";
import type { CatalogEntry } from "./catalog.ts";
import { type CheckRequestParts, checkRequest } from "../../test/support/check-request-builder.ts";
import { fromCheckRequest, type InputContext, type ResolvedIdentity } from "./from-check-request.ts";
import { readRequestFacts } from "./request-facts.ts";
import type { PolicyInput } from "./types.ts";

const finance: ResolvedIdentity = { tenant: "acme", agent: "finance-agent", source: "jwt" };
const catalogs: Record<string, CatalogEntry[]> = {
  acme: [
    { host: "api.stripe.com", method: "POST", path: "/v1/payment_intents", tool: "stripe-payments", action: "create_payment" },
    { host: "mcp.acme.internal", method: "POST", path: "/mcp", tool: "acme-mcp", action: "unknown" },
  ],
};
const noChain = { parent: null, depth: 0, verified: false, error: null } as const;

function context(overrides: Partial<InputContext> = {}): InputContext {
  return {
    identity: finance,
    catalog: (tenant) => catalogs[tenant] ?? [],
    callChain: noChain,
    budgets: {},
    limits: { maxBodyBytes: 1024, maxParams: 50, maxDepth: 5 },
    ...overrides,
  };
}

const json = { "content-type": "application/json" };
const mcpCall = (name: unknown, args?: unknown) =>
  JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: args === undefined ? { name } : { name, arguments: args } });

interface OkCase {
  name: string;
  request: CheckRequestParts;
  context?: Partial<InputContext>;
  expected: Partial<PolicyInput>;
}

const okCases: OkCase[] = [
  {
    name: "tool and action from the route's context_extensions",
    request: { method: "POST", host: "api.stripe.com", path: "/v1/x", contextExtensions: { tool: "stripe-payments", action: "refund" } },
    expected: { tool: "stripe-payments", action: "refund" },
  },
  {
    name: "tool and action from the tenant's catalog",
    request: { method: "POST", host: "API.stripe.com:443", path: "/v1/payment_intents?expand=x" },
    expected: { tool: "stripe-payments", action: "create_payment", host: "api.stripe.com", path: "/v1/payment_intents", method: "POST" },
  },
  {
    name: "context_extensions win over the catalog",
    request: { method: "POST", host: "api.stripe.com", path: "/v1/payment_intents", contextExtensions: { tool: "other" } },
    expected: { tool: "other", action: null },
  },
  {
    name: "empty context_extensions values count as absent",
    request: { method: "POST", host: "api.stripe.com", path: "/v1/payment_intents", contextExtensions: { tool: "", action: "" } },
    expected: { tool: "stripe-payments", action: "create_payment" },
  },
  {
    name: "no catalog match: tool and action null",
    request: { method: "GET", host: "api.stripe.com", path: "/v1/payment_intents" },
    expected: { tool: null, action: null },
  },
  {
    name: "no identity: no catalog, tenant and agent null, source none",
    request: { method: "POST", host: "api.stripe.com", path: "/v1/payment_intents" },
    context: { identity: null },
    expected: { tenant: null, agent: null, identity_source: "none", tool: null, action: null },
  },
  {
    name: "identity passed through",
    request: {},
    context: { identity: { tenant: "t", agent: "a", source: "spiffe" } },
    expected: { tenant: "t", agent: "a", identity_source: "spiffe" },
  },
  {
    name: "JSON body merged over the query string (a name in both with the same value)",
    request: { method: "POST", path: "/p?amount=1200&memo=q", headers: json, body: '{"amount":1200,"currency":"usd"}' },
    expected: { params: { amount: 1200, memo: "q", currency: "usd" } },
  },
  {
    name: "form body merged over the query string (a name in both with the same value)",
    request: { method: "POST", path: "/p?amount=12.50", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "amount=12.50&to=x" },
    expected: { params: { amount: "12.50", to: "x" } },
  },
  {
    name: "repeated query names become arrays",
    request: { path: "/p?amount=1&amount=99999" },
    expected: { params: { amount: ["1", "99999"] } },
  },
  {
    name: "raw_body (pack_as_bytes) is read",
    request: { method: "POST", headers: json, rawBody: Buffer.from('{"amount":5}') },
    expected: { params: { amount: 5 } },
  },
  {
    name: "MCP tools/call: action is params.name, params are the arguments",
    request: { method: "POST", host: "mcp.acme.internal", path: "/mcp", headers: json, body: mcpCall("create_issue", { title: "t", repo: "r" }) },
    expected: { tool: "acme-mcp", action: "create_issue", params: { title: "t", repo: "r" } },
  },
  {
    name: "MCP tools/call names the action even when the route sets one",
    request: { method: "POST", path: "/mcp", headers: json, body: mcpCall("delete_repo", {}), contextExtensions: { tool: "github-mcp", action: "read" } },
    expected: { tool: "github-mcp", action: "delete_repo", params: {} },
  },
  {
    name: "MCP tools/call without arguments has empty params",
    request: { method: "POST", path: "/mcp", headers: json, body: mcpCall("ping"), contextExtensions: { tool: "m" } },
    expected: { action: "ping", params: {} },
  },
  {
    name: "MCP tools/call without a content type is still recognised",
    request: { method: "POST", path: "/mcp", body: mcpCall("delete_repo", { repo: "r" }), contextExtensions: { tool: "m" } },
    expected: { action: "delete_repo", params: { repo: "r" } },
  },
  {
    name: "other MCP methods keep the route's action and the whole body as params",
    request: { method: "POST", path: "/mcp", headers: json, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}', contextExtensions: { tool: "m", action: "list" } },
    expected: { action: "list", params: { jsonrpc: "2.0", id: 1, method: "tools/list" } },
  },
  {
    name: "partial body flagged by Envoy",
    request: { method: "POST", headers: { ...json, "x-envoy-auth-partial-body": "true" }, body: '{"amount":12' },
    expected: { truncated_body: true, params: {} },
  },
  {
    name: "call chain and budgets passed through",
    request: {},
    context: { callChain: { parent: "planner", depth: 1, verified: true, error: null }, budgets: { "daily-spend": { spent: 15000 } } },
    expected: { call_chain: { parent: "planner", depth: 1, verified: true, error: null }, budgets: { "daily-spend": { spent: 15000 } } },
  },
  {
    name: "missing host is empty",
    request: { host: "" },
    expected: { host: "" },
  },
];

interface FailCase {
  name: string;
  request: CheckRequestParts;
  reason: string;
}

const failCases: FailCase[] = [
  { name: "bad JSON", request: { method: "POST", headers: json, body: "{nope" }, reason: "request body is not valid JSON" },
  { name: "bad UTF-8 in a JSON body", request: { method: "POST", headers: json, rawBody: new Uint8Array([0x7b, 0xc3, 0x7d]) }, reason: "request body is not valid UTF-8" },
  { name: "oversize body", request: { method: "POST", headers: json, body: `{"a":"${"x".repeat(2000)}"}` }, reason: "request body exceeds 1024 bytes" },
  { name: "too many params", request: { path: `/p?${Array.from({ length: 51 }, (_, i) => `p${i}=1`).join("&")}` }, reason: "parameters have more than 50 entries" },
  { name: "too deep", request: { method: "POST", headers: json, body: '{"a":{"b":{"c":{"d":{"e":{"f":1}}}}}}' }, reason: "parameters nest deeper than 5 levels" },
  { name: "MCP call without a name", request: { method: "POST", headers: json, body: mcpCall(7) }, reason: "MCP tools/call without a params.name string" },
  { name: "MCP arguments not an object", request: { method: "POST", headers: json, body: mcpCall("x", [1]) }, reason: "MCP tools/call params.arguments is not an object" },
];

describe("fromCheckRequest", () => {
  it.each(okCases)("$name", ({ request, context: overrides, expected }) => {
    const result = fromCheckRequest(checkRequest(request), context(overrides));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.input).toMatchObject(expected);
  });

  it.each(failCases)("rejects: $name", ({ request, reason }) => {
    expect(fromCheckRequest(checkRequest(request), context())).toMatchObject({ ok: false, reason });
  });

  it("returns the request facts alongside the input, and no header value in the input", () => {
    const request = checkRequest({ headers: { authorization: "Bearer secret-token", "x-aegis-override-token": "ovr-secret" }, path: "/p?a=1" });
    const result = fromCheckRequest(request, context());
    expect(result.request).toEqual(readRequestFacts(request));
    expect(JSON.stringify(result.ok && result.input)).not.toMatch(/secret/);
  });

  it("keeps a __proto__ parameter as plain data", () => {
    const result = fromCheckRequest(checkRequest({ method: "POST", headers: json, body: '{"__proto__":{"polluted":true}}' }), context());
    expect(result.ok && Object.hasOwn(result.input.params, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(result.ok && Object.getPrototypeOf(result.input.params)).toBe(Object.prototype);
  });

  it("produces the full contract shape", () => {
    const result = fromCheckRequest(checkRequest({ method: "POST", host: "api.stripe.com", path: "/v1/payment_intents", headers: json, body: '{"amount":1200}' }), context());
    expect(result.ok && result.input).toEqual({
      tenant: "acme",
      agent: "finance-agent",
      identity_source: "jwt",
      tool: "stripe-payments",
      action: "create_payment",
      params: { amount: 1200 },
      host: "api.stripe.com",
      port: null,
      scheme: "https",
      method: "POST",
      path: "/v1/payment_intents",
      truncated_body: false,
      call_chain: noChain,
      budgets: {},
    });
  });
});
