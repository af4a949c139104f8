// Whether the ext_proc filter has anything to do for an allowed call, and from which phase on.
// ext_authz tells Envoy in the x-aegis-ext-proc header it sets on every allowed call, over
// whatever the agent sent: "run" when the request body is redacted (the stream starts at the
// request headers and holds the request until Aegis answered), "response" when only the response
// is read, "skip" when there is nothing to rewrite. The shipped configs skip the filter on
// "skip"; deploy/envoy/mcp.yaml runs "response" calls through an ext_proc filter that starts at
// the response headers, so such a request goes upstream as soon as ext_authz allowed it: a
// standalone GET stream must not reach the MCP server after the POSTs its client sent after it,
// or the server's requests on it (sampling, elicitation) are lost. A config that only knows
// "skip" runs "response" calls from the request headers on, which Aegis answers as well.
// Must agree with src/extproc/call-plan.ts, which decides what to do.
import { STREAM_METHOD } from "../policy/mcp-methods.ts";
import type { AgentView } from "./policy-context.ts";

export const EXT_PROC_HEADER = "x-aegis-ext-proc";

export interface ExtProcNeed {
  readonly shadow: boolean;
  readonly redactParams: readonly string[];
  readonly tool: string | null;
  readonly action: string | null;
  readonly mcpMethod: string | null;
}

export type ExtProcMode = "run" | "response" | "skip";

export function extProcNeeded(need: ExtProcNeed, agent: AgentView): ExtProcMode {
  if (need.shadow) return "skip";
  if (need.redactParams.length > 0) return "run";
  if (need.mcpMethod === "tools/list" || need.mcpMethod === STREAM_METHOD) return "response";
  return need.tool !== null && need.action !== null && agent.responseRule(need.tool, need.action) !== null ? "response" : "skip";
}
