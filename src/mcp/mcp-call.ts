// One MCP HTTP request (Streamable HTTP) → what Aegis judges: the action and parameters of a
// tools/call, resources/read or prompts/get, or the method of protocol traffic, plus the
// override token an agent may carry in params._meta.
import { isObject, type JsonRpcId, readJsonRpc } from "./json-rpc.ts";
import { PROMPT_GET_ACTION, RESERVED_ACTIONS, RESOURCE_READ_ACTION, RESPONSE_METHOD, SESSION_END_METHOD, STREAM_METHOD } from "../policy/mcp-methods.ts";

/** Where an agent may put the override token inside an MCP request. */
export const META_OVERRIDE_TOKEN = "aegis/override_token";

export interface McpCall {
  /** The JSON-RPC method, or GET / DELETE / response for transport requests without one. */
  readonly method: string;
  /** tools/call → params.name; resources/read and prompts/get → their reserved action; else null. */
  readonly action: string | null;
  /** What the policy judges: tools/call arguments, {uri}, {name, arguments}; {} for protocol traffic. */
  readonly params: Readonly<Record<string, unknown>>;
  /** What an Mcp-Name header must equal: the tool or prompt name, the resource URI; else null. */
  readonly name: string | null;
  /** The request's id; null for notifications, responses and transport requests. */
  readonly id: JsonRpcId | null;
  /** params._meta["aegis/override_token"], or null. */
  readonly overrideToken: string | null;
}

export type McpRead =
  | { readonly ok: true; readonly call: McpCall }
  | { readonly ok: false; readonly reason: string; readonly id: JsonRpcId | null; readonly method: string | null; readonly argumentsProblem: boolean };

/** `body` is the parsed JSON body, or undefined when the request carries none. */
export function readMcpCall(httpMethod: string, body: unknown): McpRead {
  const verb = httpMethod.toUpperCase();
  if (verb === "GET" || verb === "DELETE") {
    if (body !== undefined) return fail(`MCP ${verb} with a body`, null, null);
    return ok(verb === "GET" ? STREAM_METHOD : SESSION_END_METHOD, null, {}, null, null, null);
  }
  // Any other verb (PUT, PATCH, …) is not MCP: judged by its name, which no policy allows.
  if (verb !== "POST") return ok(verb, null, {}, null, null, null);
  if (body === undefined) return fail("MCP POST without a JSON-RPC body", null, null);

  const read = readJsonRpc(body);
  if (!read.ok) return fail(read.reason, read.id, null);
  const message = read.message;
  if (message.kind === "response") return ok(RESPONSE_METHOD, null, {}, null, null, null);

  const id = message.kind === "request" ? message.id : null;
  const { method, params } = message;
  const token = metaToken(params);
  if (!token.ok) return fail(token.reason, id, method);

  switch (method) {
    case "tools/call": {
      const name = params["name"];
      if (typeof name !== "string" || name === "") return fail("MCP tools/call without a params.name string", id, method);
      if (RESERVED_ACTIONS.includes(name)) return fail(`MCP tool name ${JSON.stringify(name)} is reserved`, id, method);
      const args = params["arguments"];
      if (args !== undefined && args !== null && !isObject(args)) return fail("MCP tools/call params.arguments is not an object", id, method, true);
      return ok(method, name, isObject(args) ? args : {}, name, id, token.value);
    }
    case "resources/read": {
      const uri = params["uri"];
      if (typeof uri !== "string" || uri === "") return fail("MCP resources/read without a params.uri string", id, method, true);
      return ok(method, RESOURCE_READ_ACTION, { uri }, uri, id, token.value);
    }
    case "prompts/get": {
      const name = params["name"];
      if (typeof name !== "string" || name === "") return fail("MCP prompts/get without a params.name string", id, method, true);
      const args = params["arguments"];
      if (args !== undefined && args !== null && !isObject(args)) return fail("MCP prompts/get params.arguments is not an object", id, method, true);
      return ok(method, PROMPT_GET_ACTION, { name, arguments: isObject(args) ? args : {} }, name, id, token.value);
    }
    default:
      return ok(method, null, {}, null, id, token.value);
  }
}

function metaToken(params: Readonly<Record<string, unknown>>): { ok: true; value: string | null } | { ok: false; reason: string } {
  const meta = params["_meta"];
  if (meta === undefined || meta === null) return { ok: true, value: null };
  if (!isObject(meta)) return { ok: false, reason: "MCP params._meta is not an object" };
  if (!Object.hasOwn(meta, META_OVERRIDE_TOKEN)) return { ok: true, value: null };
  const token = meta[META_OVERRIDE_TOKEN];
  if (typeof token !== "string" || token.trim() === "") return { ok: false, reason: `MCP params._meta["${META_OVERRIDE_TOKEN}"] is not a non-empty string` };
  return { ok: true, value: token.trim() };
}

function ok(method: string, action: string | null, params: Readonly<Record<string, unknown>>, name: string | null, id: JsonRpcId | null, overrideToken: string | null): McpRead {
  return { ok: true, call: { method, action, params, name, id, overrideToken } };
}

function fail(reason: string, id: JsonRpcId | null, method: string | null, argumentsProblem = false): McpRead {
  return { ok: false, reason, id, method, argumentsProblem };
}
