// JSON-RPC 2.0 messages as MCP's Streamable HTTP transport carries them in a POST body: one
// request, notification or response per body. Batches are refused: MCP dropped them (2025-06-18)
// and one decision cannot judge several calls. Read strictly; anything else is not guessed at.

export type JsonRpcId = string | number;

export type JsonRpcMessage =
  | { readonly kind: "request"; readonly id: JsonRpcId; readonly method: string; readonly params: Readonly<Record<string, unknown>> }
  | { readonly kind: "notification"; readonly method: string; readonly params: Readonly<Record<string, unknown>> }
  /** A client's answer to a request the server sent it (sampling, elicitation, roots, ping). */
  | { readonly kind: "response"; readonly id: JsonRpcId | null };

export type JsonRpcRead =
  | { readonly ok: true; readonly message: JsonRpcMessage }
  | { readonly ok: false; readonly reason: string; readonly id: JsonRpcId | null };

const NO_PARAMS: Readonly<Record<string, unknown>> = Object.freeze({});

export function readJsonRpc(body: unknown): JsonRpcRead {
  if (Array.isArray(body)) return { ok: false, reason: "JSON-RPC batches are not supported on MCP", id: null };
  if (!isObject(body)) return { ok: false, reason: "MCP POST body is not a JSON-RPC message", id: null };
  const id = readId(body);
  if (body["jsonrpc"] !== "2.0") return { ok: false, reason: 'JSON-RPC message without "jsonrpc": "2.0"', id: id.value };
  if (!id.ok) return { ok: false, reason: "JSON-RPC id is neither a string nor an integer", id: null };

  if (!Object.hasOwn(body, "method")) {
    const isResponse = Object.hasOwn(body, "result") !== Object.hasOwn(body, "error");
    if (isResponse && Object.hasOwn(body, "id")) return { ok: true, message: { kind: "response", id: id.value } };
    return { ok: false, reason: "JSON-RPC message is neither a request, a notification nor a response", id: id.value };
  }
  const method = body["method"];
  if (typeof method !== "string" || method === "") return { ok: false, reason: "JSON-RPC method is not a non-empty string", id: id.value };
  if (Object.hasOwn(body, "result") || Object.hasOwn(body, "error")) {
    return { ok: false, reason: "JSON-RPC message is both a request and a response", id: id.value };
  }
  let params = NO_PARAMS;
  if (Object.hasOwn(body, "params") && body["params"] !== null) {
    const value = body["params"];
    // MCP params are always an object; positional (array) params would be read differently by servers.
    if (!isObject(value)) return { ok: false, reason: "JSON-RPC params is not an object", id: id.value };
    params = value;
  }
  if (id.value === null) return { ok: true, message: { kind: "notification", method, params } };
  return { ok: true, message: { kind: "request", id: id.value, method, params } };
}

/** MCP forbids a null id; an absent one makes a notification. */
function readId(body: Readonly<Record<string, unknown>>): { readonly ok: boolean; readonly value: JsonRpcId | null } {
  if (!Object.hasOwn(body, "id")) return { ok: true, value: null };
  const id = body["id"];
  if (typeof id === "string") return { ok: true, value: id };
  if (typeof id === "number" && Number.isSafeInteger(id)) return { ok: true, value: id };
  return { ok: false, value: null };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
