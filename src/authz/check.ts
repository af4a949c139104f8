// The ext_authz Check: request facts → identity → call chain and budget counters → policy input →
// WASM decision → side effects (override token, budget reservation, approval record) → response.
// Every stage but the state and engine calls is a pure function of values; errors fail closed.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { status as GrpcStatus } from "@grpc/grpc-js";
import type { ApprovalsService } from "../approvals/approvals-service.ts";
import { callDigest, type CallIdentity } from "../approvals/call-digest.ts";
import { normalizeDecision } from "../decision/normalize.ts";
import { BUILTIN_RULE_IDS, type Decision } from "../decision/types.ts";
import type { EngineHolder } from "../engine/engine-holder.ts";
import { AegisError, isAegisError } from "../errors/registry.ts";
import type { CheckRequest, CheckResponse } from "../grpc/ext-authz-types.ts";
import type { IdentityResolver } from "../identity/resolve-identity.ts";
import { toPolicyInput, type InputLimits, type ResolvedIdentity } from "../input/from-check-request.ts";
import { withScheduleClock } from "../input/schedule-clock.ts";
import { readRequestFacts, type RequestFacts } from "../input/request-facts.ts";
import { mcpSessionFacts } from "../mcp/mcp-headers.ts";
import type { CallChainFacts, PolicyInput } from "../input/types.ts";
import { CheckFailure } from "../server/grpc-server.ts";
import type { BudgetStore } from "../state/budget-store.ts";
import { readBudgetCounters, type BudgetOwner } from "./budget-counters.ts";
import { applyHostRules } from "./host-approvals.ts";
import type { StandingApprovalsService } from "../approvals/standing-approvals.ts";
import { estimatedCost } from "../decision/estimated-cost.ts";
import { extProcNeeded } from "./ext-proc-needed.ts";
import { maskParams } from "./mask-params.ts";
import { NO_AGENT_VIEW, type PolicyContext } from "./policy-context.ts";
import { invalidRequestResponse, toCheckResponse, type PendingApproval, type ShadowedOutcome } from "./to-check-response.ts";

/** Everything telemetry needs about one finished check (already masked: safe to log). */
export interface CheckEvent {
  readonly decision: Decision;
  readonly input: PolicyInput | null;
  readonly invalidReason: string | null;
  readonly effectiveOutcome: string;
  readonly shadowedOutcome: ShadowedOutcome | null;
  readonly approval: PendingApproval | null;
  readonly approverChannels: readonly string[];
  readonly callDigest: string | null;
  readonly tokenRejection: string | null;
  /** Budget left per budget name after this call's reservation; null when nothing was reserved. */
  readonly budgetRemaining: Readonly<Record<string, number>> | null;
  /** The call's cost from its spend-budget charges (src/decision/estimated-cost.ts); null when no spend budget charges it. */
  readonly estimatedCost?: number | null;
  readonly latencyMs: number;
  readonly engineMs: number;
  /** For a request to an MCP server: its method and the session and protocol version it named. */
  readonly mcp: McpLogFacts | null;
}

export interface McpLogFacts {
  readonly method: string | null;
  readonly session_id: string | null;
  readonly protocol_version: string | null;
}

/** Observes checks: spans, metrics, logs and the decision log hang off this. */
export interface CheckObserver {
  /** Whether events need the call digest (hashed_audit_id): worth a hash only when someone records it. */
  readonly wantsCallDigest: boolean;
  begin(facts: RequestFacts): {
    /** May refuse (throw) when an audit-critical decision log cannot record the decision. */
    end(event: CheckEvent): Promise<void> | void;
    fail(err: AegisError, latencyMs: number): void;
  };
}

export interface CheckDeps {
  readonly holder: EngineHolder<PolicyContext>;
  readonly resolveIdentity: IdentityResolver;
  readonly verifyCallChain: (facts: RequestFacts, identity: ResolvedIdentity | null) => Promise<CallChainFacts>;
  readonly budgets: BudgetStore;
  readonly approvals: ApprovalsService;
  /** Standing approvals (pre-approved call patterns); absent: none apply. */
  readonly standing?: StandingApprovalsService;
  readonly limits: InputLimits;
  readonly shadowGlobal: boolean;
  readonly observer: CheckObserver;
  /**
   * Called after the answer, for the candidate bundle, with the input and the enforced bundle's own
   * decision: before an override token or a lost budget race changed it, since the candidate
   * would be changed by those alike and must not count them as divergences.
   */
  readonly afterDecision?: (input: PolicyInput, decision: Decision) => void;
  readonly now?: () => number;
}

export function createCheckHandler(deps: CheckDeps): (request: CheckRequest) => Promise<CheckResponse> {
  const now = deps.now ?? Date.now;

  return async (request) => {
    const started = performance.now();
    const decisionId = randomUUID();
    const facts = readRequestFacts(request);
    const observed = deps.observer.begin(facts);
    try {
      const identity = await deps.resolveIdentity(facts);
      const result = await deps.holder.use(async (engine, policy) => {
        const agent = identity === null ? NO_AGENT_VIEW : policy.agent(identity.tenant, identity.agent) ?? NO_AGENT_VIEW;
        const [callChain, budgets] = await Promise.all([deps.verifyCallChain(facts, identity), readBudgetCounters(deps.budgets, identity, agent, now())]);
        const mapped = toPolicyInput(request, facts, {
          identity, catalog: policy.catalog, callChain, budgets, limits: deps.limits, mcpTool: (tool) => agent.mcpTools.has(tool),
        });
        if (!mapped.ok) {
          return { kind: "invalid" as const, reason: mapped.reason, revision: engine.revision, mcp: mapped.mcp };
        }
        const input = withScheduleClock(mapped.input, agent.scheduleZones, now());
        const evalStart = performance.now();
        const raw = await engine.evaluate(input);
        const engineMs = performance.now() - evalStart;
        const decision = normalizeDecision(raw, { decisionId, policyVersion: engine.revision });
        return { kind: "decided" as const, input, decision, agent, engineMs, mcp: mapped.mcp, overrideToken: mapped.overrideToken };
      });

      if (result.kind === "invalid") {
        const decision = invalidDecision(decisionId, result.revision);
        await observed.end({
          decision, input: null, invalidReason: result.reason, effectiveOutcome: "deny", shadowedOutcome: null, approval: null,
          approverChannels: [], callDigest: null, tokenRejection: null, budgetRemaining: null, latencyMs: performance.now() - started, engineMs: 0,
          mcp: result.mcp === null ? null : mcpLogFacts(facts, result.mcp.method),
        });
        return invalidRequestResponse(decisionId, result.reason, result.revision, result.mcp);
      }

      const { input, agent, engineMs, mcp, overrideToken } = result;
      const shadow = result.decision.mode === "shadow" || deps.shadowGlobal;
      const call = callIdentityOf(input, facts.headers, agent.approvals.bind_headers ?? NO_BOUND_HEADERS);
      const redeemByIdentity = agent.approvals.redeem === "identity";
      const digest = deps.observer.wantsCallDigest && call !== null ? callDigest(call) : null;
      // Override token, standing approval and budget reservation (src/authz/host-approvals.ts):
      // budgets are reserved atomically only for calls that go through, before a token or a
      // standing use is spent, so concurrent calls never overshoot and a lost race spends nothing.
      const host = await applyHostRules({
        budgets: deps.budgets, approvals: deps.approvals, standing: deps.standing ?? null, owner: ownerOf(input), agent, call,
        overrideToken, redeemByIdentity, shadow, now: now(),
      }, result.decision);
      const decision = host.decision;
      const tokenRejection = host.tokenRejection;
      const budgetRemaining = host.budgetRemaining;

      let approval: PendingApproval | null = null;
      if (decision.outcome === "approval_needed" && !shadow && call !== null) {
        const record = await deps.approvals.request({
          ...call, reason: decision.reason, rule_id: decision.rule_id, policy_version: decision.policy_version,
          params_preview: maskParams(input.params, agent.sanitizedParams), expires_in_seconds: agent.approvals.expires_in_seconds,
          channels: agent.approvals.channels,
        });
        approval = { approval_id: record.id, expires_at: record.expires_at, ...(record.queue_position === null ? {} : { queue_position: record.queue_position }) };
      }

      const mapped = toCheckResponse(decision, {
        request: facts, shadowGlobal: deps.shadowGlobal, approval, mcp, redeemByIdentity, ...(budgetRemaining === undefined ? {} : { budgetRemaining }),
        call: {
          tenant: input.tenant, agent: input.agent, tool: input.tool, action: input.action, mcp_method: input.mcp?.method ?? null,
          ext_proc: extProcNeeded({ shadow, redactParams: decision.outcome === "sanitize" ? decision.redactions.params : [], tool: input.tool, action: input.action, mcpMethod: input.mcp?.method ?? null }, agent),
        },
      });
      await observed.end({
        decision, input: { ...input, params: maskParams(input.params, agent.sanitizedParams) }, invalidReason: null,
        effectiveOutcome: mapped.effectiveOutcome, shadowedOutcome: mapped.shadowedOutcome, approval, approverChannels: agent.approvals.channels,
        callDigest: digest, tokenRejection, budgetRemaining: budgetRemaining ?? null, latencyMs: performance.now() - started, engineMs,
        estimatedCost: estimatedCost(decision.budget_charges, agent.budgets),
        mcp: input.mcp === undefined ? null : mcpLogFacts(facts, input.mcp.method),
      });
      deps.afterDecision?.(input, result.decision);
      return mapped.response;
    } catch (err) {
      const e = isAegisError(err) ? err : new AegisError("AEGIS_ERR_EVAL", err instanceof Error ? err.message : String(err), { cause: err });
      observed.fail(e, performance.now() - started);
      // A gRPC error, so Envoy's failure_mode_allow / status_on_error decides; the shipped configs fail closed.
      throw new CheckFailure(e.code === "AEGIS_ERR_NO_BUNDLE" ? GrpcStatus.UNAVAILABLE : GrpcStatus.INTERNAL, `${e.code}: ${e.message}`);
    }
  };
}

function mcpLogFacts(facts: RequestFacts, method: string | null): McpLogFacts {
  const session = mcpSessionFacts(facts.headers);
  return { method, session_id: session?.session_id ?? null, protocol_version: session?.protocol_version ?? null };
}

const NO_BOUND_HEADERS: readonly string[] = [];

/** The call an approval and its override token are bound to; null when the input names no tool call. */
function callIdentityOf(input: PolicyInput, headers: Readonly<Record<string, string>>, boundHeaders: readonly string[]): CallIdentity | null {
  if (input.tenant === null || input.agent === null || input.tool === null || input.action === null) return null;
  const bound: Record<string, string | null> = {};
  for (const name of boundHeaders) bound[name] = Object.hasOwn(headers, name) ? headers[name]! : null;
  return {
    tenant: input.tenant, agent: input.agent, tool: input.tool, action: input.action,
    method: input.method, host: input.host, port: input.port ?? null, path: input.path, params: input.params, headers: bound,
  };
}

function ownerOf(input: PolicyInput): BudgetOwner | null {
  return input.tenant === null || input.agent === null ? null : { tenant: input.tenant, agent: input.agent };
}

function invalidDecision(decisionId: string, revision: string): Decision {
  return {
    decision_id: decisionId, outcome: "deny", allow: false, reason: "invalid_request", rule_id: BUILTIN_RULE_IDS.invalid_request,
    policy_version: revision, deny_reasons: [{ reason: "invalid_request", rule_id: BUILTIN_RULE_IDS.invalid_request }],
    mode: "enforce", redactions: { headers: [], query: [], params: [] }, approval: null, budget_charges: [],
  };
}
