// CheckRequest → policy input (docs/contracts.md §2). Pure and total: any value yields either an
// input or a reason the request is unparseable (which the caller answers with a 400).
import type { CheckRequest } from "../grpc/ext-authz-types.ts";
import { parseBody } from "./body.ts";
import { type CatalogEntry, matchCatalog } from "./catalog.ts";
import { HEADER } from "./header-names.ts";
import { asRecord } from "./loose.ts";
import { mcpHeaderMismatch, readMcpToolsCall } from "./mcp.ts";
import { ambiguousParams } from "./param-ambiguity.ts";
import { checkParamLimits, type ParamLimits } from "./param-limits.ts";
import { flattenParams } from "./query-string.ts";
import { type RequestFacts, readRequestFacts } from "./request-facts.ts";
import type { CallChainFacts, IdentitySource, PolicyInput } from "./types.ts";

export interface ResolvedIdentity {
  readonly tenant: string;
  readonly agent: string;
  readonly source: Exclude<IdentitySource, "none">;
}

export interface InputLimits extends ParamLimits {
  readonly maxBodyBytes: number;
}

export interface InputContext {
  /** From the identity stage (src/identity), which runs first; null when none was established. */
  readonly identity: ResolvedIdentity | null;
  readonly catalog: (tenant: string) => readonly CatalogEntry[];
  readonly callChain: CallChainFacts;
  readonly budgets: Readonly<Record<string, { readonly spent: number }>>;
  readonly limits: InputLimits;
}

export type InputResult =
  | { readonly ok: true; readonly input: PolicyInput; readonly request: RequestFacts }
  | { readonly ok: false; readonly reason: string; readonly request: RequestFacts };

export function fromCheckRequest(request: CheckRequest, context: InputContext): InputResult {
  return toPolicyInput(request, readRequestFacts(request), context);
}

/** For callers that already read the facts (to resolve identity and the call chain first). */
export function toPolicyInput(request: CheckRequest, facts: RequestFacts, context: InputContext): InputResult {
  const http = asRecord(asRecord(asRecord(asRecord(request)?.["attributes"])?.["request"])?.["http"]);
  // Without the HTTP request there is no call to judge: that is a malformed CheckRequest (400),
  // not an anonymous one.
  if (http === null) return { ok: false, reason: "CheckRequest has no attributes.request.http", request: facts };
  if (facts.targetProblem !== null) return { ok: false, reason: facts.targetProblem, request: facts };
  const body = parseBody({
    http,
    contentType: facts.headers[HEADER.contentType],
    truncated: facts.truncatedBody,
    maxBytes: context.limits.maxBodyBytes,
  });
  if (!body.ok) return { ok: false, reason: body.reason, request: facts };

  const headerMismatch = mcpHeaderMismatch(facts.headers, body.kind === "json" ? body.value : null);
  if (headerMismatch !== null) return { ok: false, reason: headerMismatch, request: facts };
  const mcp = body.kind === "json" ? readMcpToolsCall(body.value) : null;
  if (mcp !== null && !mcp.ok) return { ok: false, reason: mcp.reason, request: facts };

  const bodyParams = mcp !== null ? mcp.arguments : body.kind === "json" ? body.value : body.kind === "form" ? flattenParams(body.values) : {};
  // Spread defines own properties, so a "__proto__" parameter stays data and never a prototype.
  const params: Record<string, unknown> = { ...flattenParams(facts.query), ...bodyParams };
  const tooBig = checkParamLimits(params, context.limits);
  if (tooBig !== null) return { ok: false, reason: tooBig, request: facts };
  const ambiguous = ambiguousParams({ query: facts.query, body, bodyParams });
  if (ambiguous !== null) return { ok: false, reason: ambiguous, request: facts };

  const { identity } = context;
  const routeTool = nonEmpty(facts.contextExtensions["tool"]);
  const routeAction = nonEmpty(facts.contextExtensions["action"]);
  const catalogEntry =
    routeTool === null && identity !== null
      ? matchCatalog(context.catalog(identity.tenant), { host: facts.host, method: facts.method, path: facts.path })
      : null;

  return {
    ok: true,
    request: facts,
    input: {
      tenant: identity?.tenant ?? null,
      agent: identity?.agent ?? null,
      identity_source: identity?.source ?? "none",
      tool: routeTool ?? catalogEntry?.tool ?? null,
      action: (mcp?.ok ? mcp.action : null) ?? routeAction ?? catalogEntry?.action ?? null,
      params,
      host: facts.host,
      port: facts.port,
      scheme: facts.scheme,
      method: facts.method,
      path: facts.path,
      truncated_body: facts.truncatedBody,
      call_chain: context.callChain,
      budgets: context.budgets,
    },
  };
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value === "" ? null : value;
}
