import type { PolicyInput } from "../input/types.ts";

/** Fills the fields a hand-written input (test case, `aegis eval`) leaves out with neutral values. */
export function completeInput(partial: Partial<PolicyInput>): PolicyInput {
  const tenant = partial.tenant ?? null;
  return {
    tenant,
    agent: partial.agent ?? null,
    identity_source: partial.identity_source ?? (tenant === null ? "none" : "header"),
    tool: partial.tool ?? null,
    action: partial.action ?? null,
    params: partial.params ?? {},
    host: partial.host ?? "",
    port: partial.port ?? null,
    scheme: partial.scheme ?? "",
    method: partial.method ?? "POST",
    path: partial.path ?? "/",
    truncated_body: partial.truncated_body ?? false,
    call_chain: { parent: null, depth: 0, verified: false, error: null, ...partial.call_chain },
    budgets: partial.budgets ?? {},
    ...(partial.mcp === undefined ? {} : { mcp: partial.mcp }),
    ...(partial.now === undefined ? {} : { now: partial.now }),
  };
}
