import type { CallIdentity } from "../approvals/call-digest.ts";
import type { PolicyInput } from "../input/types.ts";

const NO_BOUND_HEADERS: readonly string[] = [];

/** The call an approval and its override token are bound to; null when the input names no tool call. */
export function callIdentityOf(input: PolicyInput, headers: Readonly<Record<string, string>>, boundHeaders: readonly string[] = NO_BOUND_HEADERS): CallIdentity | null {
  if (input.tenant === null || input.agent === null || input.tool === null || input.action === null) return null;
  const bound: Record<string, string | null> = {};
  for (const name of boundHeaders) bound[name] = Object.hasOwn(headers, name) ? headers[name]! : null;
  return {
    tenant: input.tenant, agent: input.agent, tool: input.tool, action: input.action,
    method: input.method, host: input.host, port: input.port ?? null, path: input.path, params: input.params, headers: bound,
  };
}
