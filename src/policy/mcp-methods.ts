// Which MCP messages are judged as actions and which are protocol traffic (SPEC §7). Here, not
// in src/mcp, because the compiler writes the default list into data.json.

/** `resources/read` and `prompts/get` are judged as these actions. The `:` keeps them apart from
 * MCP tool names, which are letters, digits, `_`, `-` and `.` (and Aegis refuses a tools/call
 * with either name). */
export const RESOURCE_READ_ACTION = "resources:read";
export const PROMPT_GET_ACTION = "prompts:get";
export const RESERVED_ACTIONS: readonly string[] = [RESOURCE_READ_ACTION, PROMPT_GET_ACTION];

/** Names for the HTTP requests of the transport that carry no JSON-RPC method. */
export const STREAM_METHOD = "GET";
export const SESSION_END_METHOD = "DELETE";
/** A client's JSON-RPC response to a request of the server (sampling, elicitation, roots/list, ping). */
export const RESPONSE_METHOD = "response";

/**
 * Protocol traffic an agent that may use the MCP tool at all may send, unless its policy lists
 * its own `mcp.methods`. A trailing `/*` matches any method under the prefix.
 */
export const DEFAULT_MCP_METHODS: readonly string[] = [
  "initialize",
  "notifications/*",
  "ping",
  "tools/list",
  "resources/list",
  "resources/templates/list",
  "prompts/list",
  "completion/complete",
  "logging/setLevel",
  STREAM_METHOD,
  SESSION_END_METHOD,
  RESPONSE_METHOD,
];

/** Methods that are actions, never protocol traffic: `mcp.methods` may not list them. */
export const ACTION_METHODS: readonly string[] = ["tools/call", "resources/read", "prompts/get"];
