// MCP answers (SPEC §7): JSON-RPC bodies a stock MCP client reads as what they are. A refused
// tools/call is a tool result with isError, so `callTool` resolves and the model reads why;
// every other refusal is a JSON-RPC error object.
import type { JsonRpcId } from "./json-rpc.ts";

/** JSON-RPC error codes Aegis answers with. -32001 is in the implementation-defined server range. */
export const JSON_RPC_CODE = { policyDenied: -32001, invalidRequest: -32600, invalidParams: -32602 } as const;

/** The machine-readable fields of a refusal (SPEC §5's body). */
export type RefusalFields = Readonly<Record<string, unknown>>;

export function toolErrorResult(id: JsonRpcId, text: string, fields: RefusalFields): Record<string, unknown> {
  return { jsonrpc: "2.0", id, result: { isError: true, content: [{ type: "text", text }], structuredContent: fields } };
}

export function jsonRpcError(id: JsonRpcId | null, code: number, message: string, fields: RefusalFields): Record<string, unknown> {
  return { jsonrpc: "2.0", id, error: { code, message, data: fields } };
}
