// MCP tool calls travel as JSON-RPC: {"method":"tools/call","params":{"name":…,"arguments":{…}}}.
// The tool name is the action and the arguments are the parameters. readMcpToolsCall reads
// such a body sent to a tool not marked as MCP; readMcpRequest reads every request to an MCP
// server (protocol traffic included).
import type { JsonRpcId } from "../mcp/json-rpc.ts";
import { type McpCall as McpMessageCall, readMcpCall } from "../mcp/mcp-call.ts";
import { MCP_HEADER, mcpHeaderMismatch } from "../mcp/mcp-headers.ts";
import type { ParsedBody } from "./body.ts";
import type { RequestFacts } from "./request-facts.ts";

export type McpCall =
  | { readonly ok: true; readonly action: string; readonly arguments: Record<string, unknown> }
  | { readonly ok: false; readonly reason: string };

/** null when the body is not an MCP tools/call request. */
export function readMcpToolsCall(body: Readonly<Record<string, unknown>>): McpCall | null {
  if (!Object.hasOwn(body, "method") || body["method"] !== "tools/call") return null;
  const params = ownObject(body, "params");
  const name = params !== null && Object.hasOwn(params, "name") ? params["name"] : undefined;
  if (typeof name !== "string" || name === "") {
    return { ok: false, reason: "MCP tools/call without a params.name string" };
  }
  if (!Object.hasOwn(params!, "arguments") || params!["arguments"] === null) return { ok: true, action: name, arguments: {} };
  const args = ownObject(params!, "arguments");
  if (args === null) return { ok: false, reason: "MCP tools/call params.arguments is not an object" };
  return { ok: true, action: name, arguments: args };
}

function ownObject(record: Readonly<Record<string, unknown>>, key: string): Record<string, unknown> | null {
  if (!Object.hasOwn(record, key)) return null;
  const value = record[key];
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** The MCP request to an MCP server (SPEC §7): src/mcp reads it, this checks it against the headers. */
export type McpRequest = McpMessageCall;

/** An MCP request whose body Envoy cut: nothing in it is read, but the answer is still MCP. */
export const PARTIAL_BODY_REQUEST: McpRequest = Object.freeze({ method: "with a partial body", action: null, params: {}, name: null, id: null, overrideToken: null });

/** What the answer to a refused MCP request needs to be an MCP answer. */
export interface McpFailure {
  readonly id: JsonRpcId | null;
  readonly method: string | null;
  /** The problem is in the parameters of a request that has an id: a JSON-RPC invalid-params error. */
  readonly argumentsProblem: boolean;
}

export type McpRequestRead =
  | { readonly ok: true; readonly request: McpRequest }
  | { readonly ok: false; readonly reason: string; readonly failure: McpFailure };

/**
 * On a request not routed to an MCP server: null without Mcp-Method / Mcp-Name headers; with them,
 * null only when the body is a JSON-RPC request they describe, else the reason (invalid_request).
 */
export function mcpHeadersOffMcpRoute(facts: Pick<RequestFacts, "method" | "headers">, body: Extract<ParsedBody, { ok: true }>): string | null {
  if (facts.headers[MCP_HEADER.method] === undefined && facts.headers[MCP_HEADER.name] === undefined) return null;
  const read = body.kind === "json" ? readMcpCall(facts.method, body.value) : null;
  if (read === null || !read.ok) return "Mcp-Method / Mcp-Name headers on a request whose body is not an MCP request";
  return mcpHeaderMismatch(facts.headers, read.call);
}

export function readMcpRequest(facts: Pick<RequestFacts, "method" | "headers">, body: Extract<ParsedBody, { ok: true }>): McpRequestRead {
  if (body.kind === "form") return { ok: false, reason: "MCP request body is a form, not JSON-RPC", failure: { id: null, method: null, argumentsProblem: false } };
  const read = readMcpCall(facts.method, body.kind === "json" ? body.value : undefined);
  if (!read.ok) return { ok: false, reason: read.reason, failure: { id: read.id, method: read.method, argumentsProblem: read.argumentsProblem } };
  const mismatch = mcpHeaderMismatch(facts.headers, read.call);
  if (mismatch !== null) return { ok: false, reason: mismatch, failure: { id: read.call.id, method: read.call.method, argumentsProblem: false } };
  return { ok: true, request: read.call };
}
