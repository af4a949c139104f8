// Whether the ext_proc filter has anything to do for an allowed call. ext_authz tells Envoy in
// the x-aegis-ext-proc header it sets on every allowed call ("run" or "skip", over whatever the
// agent sent); the shipped configs skip the filter on "skip", so calls with nothing to rewrite
// pay no ext_proc stream. Must agree with src/extproc/call-plan.ts, which decides what to do.
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

export function extProcNeeded(need: ExtProcNeed, agent: AgentView): boolean {
  if (need.shadow) return false;
  if (need.redactParams.length > 0) return true;
  if (need.mcpMethod === "tools/list" || need.mcpMethod === STREAM_METHOD) return true;
  return need.tool !== null && need.action !== null && agent.responseRule(need.tool, need.action) !== null;
}
