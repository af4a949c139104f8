// What the ext_proc stream does for one call, fixed at its request headers from the decision
// ext_authz made (no second evaluation) and the policy of the bundle in force: redact the
// request body, filter a tools/list result, redact tool results, or nothing (then Envoy is told
// to send no body and no response at all, so streams pass unbuffered).
import type { PolicyContext } from "../authz/policy-context.ts";
import { filterToolsListMessage, isToolsListResult } from "../mcp/tools-list-filter.ts";
import { STREAM_METHOD } from "../policy/mcp-methods.ts";
import type { ForwardedDecision } from "./decision-metadata.ts";
import { compileResponseRule, type CompiledResponseRule, type Redaction, redactToolResultMessage } from "./redact-tool-result.ts";

export interface CallPlan {
  /** Body parameter names to redact on the way up; null: the request body is not read. */
  readonly redactParams: readonly string[] | null;
  /** The request is a JSON-RPC message to an MCP server. */
  readonly mcp: boolean;
  /** What to do to the response; null: Envoy skips the response entirely. */
  readonly response: ResponsePlan | null;
}

export interface ResponsePlan {
  /** tools/list: only these tool names stay listed. */
  readonly visibleTools: ReadonlySet<string> | null;
  /** A GET stream (or resumed stream): only tools/list-shaped results are filtered there. */
  readonly onlyToolsListResults: boolean;
  readonly rule: CompiledResponseRule | null;
}

export interface RewriteReport {
  hidden: string[];
  redactions: Redaction[];
}

const NOTHING: CallPlan = { redactParams: null, mcp: false, response: null };
const NO_TOOLS: ReadonlySet<string> = new Set();

export function planCall(decision: ForwardedDecision, policy: PolicyContext): CallPlan {
  // Shadow mode enforces nothing: the caller gets what it would get without Aegis.
  if (decision.shadow) return NOTHING;
  const mcp = decision.mcp_method !== null;
  const redactParams = decision.redact_params.length > 0 ? decision.redact_params : null;
  const agent = decision.tenant !== null && decision.agent !== null ? policy.agent(decision.tenant, decision.agent) : undefined;
  let response: ResponsePlan | null = null;
  if (agent !== undefined && decision.tool !== null) {
    const isList = decision.mcp_method === "tools/list";
    const isStream = decision.mcp_method === STREAM_METHOD;
    const visibleTools = isList || isStream ? (agent.allowedActions(decision.tool) ?? NO_TOOLS) : null;
    const rule = decision.action === null ? null : agent.responseRule(decision.tool, decision.action);
    if (visibleTools !== null || rule !== null) {
      response = { visibleTools, onlyToolsListResults: isStream, rule: rule === null ? null : compileResponseRule(rule) };
    }
  }
  return { redactParams, mcp, response };
}

/** The per-message rewrite of a response plan; what it hid and redacted lands in `report`. */
export function messageRewrite(plan: ResponsePlan, mcp: boolean, report: RewriteReport): (message: unknown) => unknown {
  return (message) => {
    let out = message;
    if (plan.visibleTools !== null && (!plan.onlyToolsListResults || isToolsListResult(out))) {
      const filtered = filterToolsListMessage(out, plan.visibleTools);
      report.hidden.push(...filtered.hidden);
      out = filtered.message;
    }
    if (plan.rule !== null) {
      // A plain (non-MCP) tool's JSON body is its result as a whole.
      const wrapped = mcp ? out : { result: out };
      const redacted = redactToolResultMessage(wrapped, plan.rule);
      report.redactions.push(...redacted.redactions);
      if (redacted.message !== wrapped) out = mcp ? redacted.message : (redacted.message as { result: unknown }).result;
    }
    return out;
  };
}
