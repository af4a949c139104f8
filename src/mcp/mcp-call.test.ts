import { describe, expect, it } from "vitest";
import { readMcpCall } from "./mcp-call.ts";
import { decodeHeaderValue, mcpHeaderMismatch } from "./mcp-headers.ts";

const call = (method: string, params?: unknown, id: unknown = 1) => ({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) });

describe("readMcpCall", () => {
  it("reads a tools/call as its action and arguments, _meta apart, and the override token in _meta", () => {
    const read = readMcpCall("POST", call("tools/call", { name: "create_payment", arguments: { amount: 300 }, _meta: { "aegis/override_token": " aegis_ot_x ", progressToken: 1 } }));
    expect(read).toEqual({ ok: true, call: { method: "tools/call", action: "create_payment", params: { amount: 300 }, name: "create_payment", id: 1, overrideToken: "aegis_ot_x" } });
  });

  it("reads resources/read and prompts/get as reserved actions on their uri and name", () => {
    expect(readMcpCall("POST", call("resources/read", { uri: "file:///a" }))).toMatchObject({ ok: true, call: { action: "resources:read", params: { uri: "file:///a" }, name: "file:///a" } });
    expect(readMcpCall("POST", call("prompts/get", { name: "greet", arguments: { who: "x" } }))).toMatchObject({ ok: true, call: { action: "prompts:get", params: { name: "greet", arguments: { who: "x" } } } });
  });

  it("reads protocol traffic, notifications, responses and the transport's GET and DELETE without an action", () => {
    expect(readMcpCall("POST", call("initialize", { protocolVersion: "2025-11-25" }))).toMatchObject({ ok: true, call: { method: "initialize", action: null, params: {}, id: 1 } });
    expect(readMcpCall("POST", { jsonrpc: "2.0", method: "notifications/initialized" })).toMatchObject({ ok: true, call: { method: "notifications/initialized", id: null } });
    expect(readMcpCall("POST", { jsonrpc: "2.0", id: "s-1", result: {} })).toMatchObject({ ok: true, call: { method: "response", action: null } });
    expect(readMcpCall("GET", undefined)).toMatchObject({ ok: true, call: { method: "GET" } });
    expect(readMcpCall("delete", undefined)).toMatchObject({ ok: true, call: { method: "DELETE" } });
    expect(readMcpCall("PUT", undefined)).toMatchObject({ ok: true, call: { method: "PUT", action: null } });
  });

  it.each([
    ["a batch", [call("tools/call", { name: "a" })]],
    ["no jsonrpc 2.0", { id: 1, method: "tools/call", params: { name: "a" } }],
    ["a null id", { jsonrpc: "2.0", id: null, method: "ping" }],
    ["a fractional id", { jsonrpc: "2.0", id: 1.5, method: "ping" }],
    ["an empty method", call("")],
    ["array params", call("tools/call", ["a"])],
    ["a request that is also a response", { ...call("ping"), result: {} }],
    ["tools/call without a name", call("tools/call", { arguments: {} })],
    ["tools/call named like a reserved action", call("tools/call", { name: "resources:read" })],
    ["arguments that are not an object", call("tools/call", { name: "a", arguments: [1] })],
    ["resources/read without a uri", call("resources/read", {})],
    ["a _meta that is not an object", call("tools/call", { name: "a", _meta: "x" })],
    ["a token that is not a string", call("tools/call", { name: "a", _meta: { "aegis/override_token": 5 } })],
    ["a POST without a body", undefined],
  ])("refuses %s", (_, body) => {
    expect(readMcpCall("POST", body).ok).toBe(false);
  });

  it("refuses a GET with a body", () => {
    expect(readMcpCall("GET", {}).ok).toBe(false);
  });

  it("keeps the id of a refused request, and says when the arguments are the problem", () => {
    expect(readMcpCall("POST", call("tools/call", { name: "a", arguments: 5 }, 9))).toMatchObject({ ok: false, id: 9, method: "tools/call", argumentsProblem: true });
    expect(readMcpCall("POST", call("tools/call", {}, "r"))).toMatchObject({ ok: false, id: "r", argumentsProblem: false });
  });
});

describe("mcpHeaderMismatch", () => {
  const read = readMcpCall("POST", call("tools/call", { name: "read_document" }));
  const parsed = read.ok ? read.call : null;

  it("accepts absent headers and headers that say what the body says", () => {
    expect(mcpHeaderMismatch({}, parsed!)).toBeNull();
    expect(mcpHeaderMismatch({ "mcp-method": "tools/call", "mcp-name": "read_document" }, parsed!)).toBeNull();
  });

  it("refuses a method or name the body does not say", () => {
    expect(mcpHeaderMismatch({ "mcp-method": "tools/list" }, parsed!)).toMatch(/Mcp-Method/);
    expect(mcpHeaderMismatch({ "mcp-method": "tools/call", "mcp-name": "create_payment" }, parsed!)).toMatch(/Mcp-Name/);
    const ping = readMcpCall("POST", call("ping"));
    expect(mcpHeaderMismatch({ "mcp-name": "x" }, ping.ok ? ping.call : parsed!)).toMatch(/names nothing/);
  });
});

describe("Mcp-Name values sent base64-wrapped", () => {
  const read = readMcpCall("POST", { jsonrpc: "2.0", id: 1, method: "resources/read", params: { uri: "file:///Über uns.md" } });
  const parsed = read.ok ? read.call : null;
  const wrapped = (text: string) => `=?base64?${Buffer.from(text, "utf8").toString("base64")}?=`;

  it("match the body once decoded", () => {
    expect(mcpHeaderMismatch({ "mcp-method": "resources/read", "mcp-name": wrapped("file:///Über uns.md") }, parsed!)).toBeNull();
  });

  it("refuse a wrapped value of another name, and a malformed or non-canonical wrapping", () => {
    expect(mcpHeaderMismatch({ "mcp-name": wrapped("file:///etc/passwd") }, parsed!)).toMatch(/Mcp-Name/);
    expect(mcpHeaderMismatch({ "mcp-name": "=?base64?not base64!?=" }, parsed!)).toMatch(/Mcp-Name/);
    expect(decodeHeaderValue("=?base64?YQ==?=")).toBe("a");
    expect(decodeHeaderValue("=?base64?YR==?=")).toBeNull();
    expect(decodeHeaderValue("=?base64?/w==?=")).toBeNull();
  });
});
