// CheckRequest → policy input (docs/contracts.md §2). Pure and total: any value yields either an
// input or a reason the request is unparseable (which the caller answers with a 400).
import type { CheckRequest } from "../grpc/ext-authz-types.ts";
import { parseBody } from "./body.ts";
import { type CatalogEntry, matchCatalog } from "./catalog.ts";
import { HEADER } from "./header-names.ts";
import { asRecord } from "./loose.ts";
import { mcpHeadersOffMcpRoute, PARTIAL_BODY_REQUEST, readMcpRequest, readMcpToolsCall, type McpFailure, type McpRequest } from "./mcp.ts";
import { ambiguousParams, nestedCaseCollision } from "./param-ambiguity.ts";
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
  /** Whether the agent's policy marks this tool `protocol: mcp`; absent: only routes and the catalog mark tools. */
  readonly mcpTool?: (tool: string) => boolean;
}

export type InputResult =
  | {
      readonly ok: true;
      readonly input: PolicyInput;
      readonly request: RequestFacts;
      /** The MCP request when the tool is an MCP server (SPEC §7); null otherwise. */
      readonly mcp: McpRequest | null;
      /** The x-aegis-override-token header, else the one in an MCP request's params._meta. */
      readonly overrideToken: string | null;
    }
  | { readonly ok: false; readonly reason: string; readonly request: RequestFacts; readonly mcp: McpFailure | null };

export function fromCheckRequest(request: CheckRequest, context: InputContext): InputResult {
  return toPolicyInput(request, readRequestFacts(request), context);
}

/** For callers that already read the facts (to resolve identity and the call chain first). */
export function toPolicyInput(request: CheckRequest, facts: RequestFacts, context: InputContext): InputResult {
  const http = asRecord(asRecord(asRecord(asRecord(request)?.["attributes"])?.["request"])?.["http"]);
  // Without the HTTP request there is no call to judge: that is a malformed CheckRequest (400),
  // not an anonymous one.
  if (http === null) return { ok: false, reason: "CheckRequest has no attributes.request.http", request: facts, mcp: null };

  const { identity } = context;
  const routeTool = nonEmpty(facts.contextExtensions["tool"]);
  const routeAction = nonEmpty(facts.contextExtensions["action"]);
  const catalogEntry =
    routeTool === null && identity !== null
      ? matchCatalog(context.catalog(identity.tenant), { host: facts.host, method: facts.method, path: facts.path })
      : null;
  const tool = routeTool ?? catalogEntry?.tool ?? null;
  const isMcp = facts.contextExtensions["protocol"] === "mcp" || catalogEntry?.protocol === "mcp" || (tool !== null && (context.mcpTool?.(tool) ?? false));
  const noMcp: McpFailure | null = isMcp ? { id: null, method: null, argumentsProblem: false } : null;
  const fail = (reason: string, mcp: McpFailure | null = noMcp) => ({ ok: false as const, reason, request: facts, mcp });

  if (facts.targetProblem !== null) return fail(facts.targetProblem);
  const body = parseBody({
    http,
    contentType: facts.headers[HEADER.contentType],
    truncated: facts.truncatedBody,
    maxBytes: context.limits.maxBodyBytes,
  });
  if (!body.ok) return fail(body.reason);

  // An MCP server's request is read as MCP whatever its method; elsewhere a JSON tools/call body
  // still names its action (SPEC §4). A partial body names nothing: the Rego denies body_truncated.
  const mcp = isMcp && !facts.truncatedBody ? readMcpRequest(facts, body) : null;
  if (mcp !== null && !mcp.ok) return fail(mcp.reason, mcp.failure);
  const legacy = !isMcp && body.kind === "json" ? readMcpToolsCall(body.value) : null;
  if (legacy !== null && !legacy.ok) return fail(legacy.reason);
  // A route that is not marked MCP is still refused when its Mcp-* headers disagree with the body:
  // a gateway or server routing on them would run what Aegis never judged.
  const headerProblem = isMcp ? null : mcpHeadersOffMcpRoute(facts, body);
  if (headerProblem !== null) return fail(headerProblem);
  const mcpFailure: McpFailure | null = mcp !== null ? { id: mcp.request.id, method: mcp.request.method, argumentsProblem: true } : noMcp;

  const overrideToken = facts.overrideToken ?? mcp?.request.overrideToken ?? null;
  if (facts.overrideToken !== null && mcp?.request.overrideToken != null && mcp.request.overrideToken !== facts.overrideToken) {
    return fail("the override token is given twice with different values (header and params._meta)", { ...mcpFailure!, argumentsProblem: false });
  }

  const bodyParams = mcp !== null ? mcp.request.params : legacy !== null ? legacy.arguments : body.kind === "json" ? body.value : body.kind === "form" ? flattenParams(body.values) : {};
  // Spread defines own properties, so a "__proto__" parameter stays data and never a prototype.
  const params: Record<string, unknown> = { ...flattenParams(facts.query), ...bodyParams };
  const tooBig = checkParamLimits(params, context.limits);
  if (tooBig !== null) return fail(tooBig, mcpFailure);
  const ambiguous = ambiguousParams({ query: facts.query, body: body.kind === "opaque" ? { kind: "none" } : body, bodyParams });
  // An ambiguous JSON-RPC envelope (a repeated "method") is an invalid request, not invalid params.
  if (ambiguous !== null) return fail(ambiguous, mcpFailure === null ? null : { ...mcpFailure, argumentsProblem: mcp !== null && nestedCaseCollision(bodyParams) !== null });

  // An MCP server's action always comes from the body: protocol traffic has none, whatever the route says.
  const action = isMcp ? (mcp?.request.action ?? null) : ((legacy?.ok ? legacy.action : null) ?? routeAction ?? catalogEntry?.action ?? null);
  return {
    ok: true,
    request: facts,
    mcp: mcp?.request ?? (isMcp ? PARTIAL_BODY_REQUEST : null),
    overrideToken,
    input: {
      tenant: identity?.tenant ?? null,
      agent: identity?.agent ?? null,
      identity_source: identity?.source ?? "none",
      tool,
      action,
      params,
      host: facts.host,
      port: facts.port,
      scheme: facts.scheme,
      method: facts.method,
      path: facts.path,
      truncated_body: facts.truncatedBody,
      ...(body.kind === "opaque" ? { unread_body: true } : {}),
      call_chain: context.callChain,
      budgets: context.budgets,
      ...(isMcp ? { mcp: { method: mcp?.request.method ?? null } } : {}),
    },
  };
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value === "" ? null : value;
}
