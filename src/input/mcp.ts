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
