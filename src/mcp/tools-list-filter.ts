// tools/list as the agent may use it: the result keeps only the tools whose action the policy
// allows the agent to call. Parameter rules, amounts and schedules are not judged at list time
// (there are no arguments yet): a listed tool may still be refused when called.

export interface ToolsListFiltered {
  /** The message to send on; the input object when nothing was removed. */
  readonly message: unknown;
  /** Names of the tools taken out (tool entries without a string name count as ""). */
  readonly hidden: readonly string[];
}

/** A JSON-RPC error answering a tools/list result Aegis could not read: nothing unfiltered goes through. */
export function unreadableToolsList(id: unknown): Record<string, unknown> {
  return { jsonrpc: "2.0", id: validId(id) ? id : null, error: { code: -32603, message: "Aegis could not read the tools/list result, so it was not passed on" } };
}

/**
 * Filters one JSON-RPC message. Requests, notifications and error responses pass untouched; a
 * result whose `tools` is not a list of objects is replaced by a JSON-RPC error.
 */
export function filterToolsListMessage(message: unknown, allowed: ReadonlySet<string>): ToolsListFiltered {
  if (!isRecord(message) || !Object.hasOwn(message, "result") || Object.hasOwn(message, "method")) return { message, hidden: [] };
  const result = message["result"];
  const tools = isRecord(result) && Object.hasOwn(result, "tools") ? result["tools"] : undefined;
  if (!Array.isArray(tools)) return { message: unreadableToolsList(message["id"]), hidden: [] };
  const kept: unknown[] = [];
  const hidden: string[] = [];
  for (const tool of tools) {
    const name = isRecord(tool) && typeof tool["name"] === "string" ? tool["name"] : null;
    if (name !== null && allowed.has(name)) kept.push(tool);
    else hidden.push(name ?? "");
  }
  if (hidden.length === 0) return { message, hidden };
  return { message: { ...message, result: { ...(result as Record<string, unknown>), tools: kept } }, hidden };
}

/** Whether a message is a tools/list-shaped result (on a resumed GET stream only those are filtered). */
export function isToolsListResult(message: unknown): boolean {
  if (!isRecord(message) || Object.hasOwn(message, "method") || !Object.hasOwn(message, "result")) return false;
  const result = message["result"];
  return isRecord(result) && Object.hasOwn(result, "tools");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function validId(id: unknown): boolean {
  return typeof id === "string" || (typeof id === "number" && Number.isFinite(id));
}
