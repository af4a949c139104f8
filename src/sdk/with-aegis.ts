// Wraps a tool function so it runs only when the policy lets the call through: the shape agent
// frameworks want (a tool is a function of its parameters; a refusal is an exception the
// framework reports back to the model). Fails closed: no decision, no call.
import { AegisError } from "../errors/registry.ts";
import { AegisApprovalPendingError, AegisDeniedError } from "./errors.ts";
import type { AegisChecker, CheckCall, CheckResult } from "./types.ts";

export interface WithAegisOptions {
  /** A client from createAegisClient or createEmbeddedAegis. */
  readonly aegis: AegisChecker;
  readonly tool: string;
  readonly action: string;
  /** The host the tool talks to, for the tenant's egress allowlist. */
  readonly host: string;
  readonly method?: string;
  readonly path?: string;
}

/** Per-invocation extras: a delegation chain, or the override token of an approved call. */
export type CallContext = Pick<CheckCall, "headers" | "parentAgent" | "attestation" | "overrideToken">;

/**
 * The wrapped function checks first, then calls `toolFn` with the params — sanitized when the
 * policy says so — and the decision. Throws AegisDeniedError on deny, AegisApprovalPendingError
 * (with the approval id) on approval_needed, and an AegisError (AEGIS_ERR_SDK_CHECK) when no
 * decision could be had or a sanitize decision does not name the parameters to redact.
 */
export function withAegis<P extends Readonly<Record<string, unknown>>, R>(
  toolFn: (params: P, decision: CheckResult) => R | Promise<R>,
  options: WithAegisOptions,
): (params: P, context?: CallContext) => Promise<Awaited<R>> {
  const { aegis, tool, action } = options;
  return async (params, context = {}): Promise<Awaited<R>> => {
    const result = await aegis.check({
      tool, action, params, host: options.host,
      ...(options.method === undefined ? {} : { method: options.method }),
      ...(options.path === undefined ? {} : { path: options.path }),
      ...context,
    });
    switch (result.outcome) {
      case "deny":
        throw new AegisDeniedError(tool, action, result);
      case "approval_needed":
        throw new AegisApprovalPendingError(tool, action, result);
      case "sanitize":
        if (result.redactedParams === null) {
          throw new AegisError("AEGIS_ERR_SDK_CHECK", `${tool}/${action} must be sanitized but Aegis did not name the parameters to redact (decision ${result.decisionId}); refusing the call`);
        }
        return await toolFn(result.sanitizedParams as P, result);
      case "allow":
        return await toolFn(params, result);
    }
  };
}
