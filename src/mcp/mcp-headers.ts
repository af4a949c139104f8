// The Mcp-Method and Mcp-Name request headers (MCP 2026-07-28) let proxies route without reading
// the body. When present they must say what the body says: a proxy or server that trusts the
// header would otherwise act on a call Aegis never judged.
import type { McpCall } from "./mcp-call.ts";

export const MCP_HEADER = {
  method: "mcp-method",
  name: "mcp-name",
  sessionId: "mcp-session-id",
  protocolVersion: "mcp-protocol-version",
} as const;

/** null when the headers agree with the body (or are absent); else the reason (invalid_request). */
export function mcpHeaderMismatch(headers: Readonly<Record<string, string>>, call: McpCall): string | null {
  const method = headers[MCP_HEADER.method];
  if (method !== undefined && decodeHeaderValue(method.trim()) !== call.method) {
    return `Mcp-Method header ${JSON.stringify(method.trim())} does not match the body's method ${JSON.stringify(call.method)}`;
  }
  const name = headers[MCP_HEADER.name];
  if (name !== undefined && decodeHeaderValue(name.trim()) !== (call.name ?? "")) {
    return call.name === null
      ? `Mcp-Name header given for ${call.method}, which names nothing`
      : `Mcp-Name header ${JSON.stringify(name.trim())} does not match the body's ${JSON.stringify(call.name)}`;
  }
  return null;
}

const BASE64_SENTINEL = /^=\?base64\?(.*)\?=$/s;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A value that would not survive as a header (non-ASCII, edge whitespace, control characters) is
 * sent as `=?base64?<canonical base64 of its UTF-8>?=`; anything else verbatim. A malformed
 * sentinel decodes to null, which matches nothing.
 */
export function decodeHeaderValue(value: string): string | null {
  const match = BASE64_SENTINEL.exec(value);
  if (match === null) return value;
  const payload = match[1]!;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(payload)) return null;
  const bytes = Buffer.from(payload, "base64");
  if (bytes.toString("base64") !== payload) return null;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/** The session and protocol version the client sent, for the decision log; null when neither. */
export function mcpSessionFacts(headers: Readonly<Record<string, string>>): { readonly session_id: string | null; readonly protocol_version: string | null } | null {
  const session = headers[MCP_HEADER.sessionId]?.trim() || null;
  const version = headers[MCP_HEADER.protocolVersion]?.trim() || null;
  return session === null && version === null ? null : { session_id: session, protocol_version: version };
}
