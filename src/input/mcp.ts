// MCP tool calls travel as JSON-RPC: {"method":"tools/call","params":{"name":…,"arguments":{…}}}.
// The tool name is the action and the arguments are the parameters.

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

/**
 * SPEC §7: the Mcp-Method and Mcp-Name headers, when present, must say what the body says; an
 * upstream or gateway that routes on them would otherwise run another method or tool than the
 * one judged. null when they agree (or are absent), else the reason.
 */
export function mcpHeaderMismatch(headers: Readonly<Record<string, string>>, body: Readonly<Record<string, unknown>> | null): string | null {
  const method = headers["mcp-method"]?.trim();
  const name = headers["mcp-name"]?.trim();
  if (method === undefined && name === undefined) return null;
  const bodyMethod = body !== null && Object.hasOwn(body, "method") ? body["method"] : undefined;
  if (method !== undefined && method !== bodyMethod) return "the Mcp-Method header does not match the JSON-RPC body's method";
  if (name === undefined) return null;
  const params = body === null ? null : ownObject(body, "params");
  const field = bodyMethod === "resources/read" ? "uri" : "name";
  const bodyName = params !== null && Object.hasOwn(params, field) ? params[field] : undefined;
  if (!(bodyMethod === "tools/call" || bodyMethod === "prompts/get" || bodyMethod === "resources/read") || name !== bodyName) {
    return "the Mcp-Name header does not match the JSON-RPC body";
  }
  return null;
}
