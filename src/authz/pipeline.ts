// The one Check pipeline every entry point runs (the ext_authz server, the embedded SDK, and
// through `result.policyDecision` the shadow comparator): request facts → identity → call chain
// and budget counters → policy input → evaluate-then-normalize (src/engine/decide.ts) → host
// rules (override token, standing approval, budget reservation: src/authz/host-approvals.ts) →
// approval record → response. One decision flows out: the observer records the same value the
// result answers with. Errors fail closed as AegisErrors; the gRPC server maps them to a status.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { ApprovalRequest } from "../approvals/approvals-service.ts";
import { callDigest, type CallIdentity } from "../approvals/call-digest.ts";
import { estimatedCost } from "../decision/estimated-cost.ts";
import { invalidRequestDecision } from "../decision/invalid-request.ts";
import type { Decision, Outcome } from "../decision/types.ts";
import { decide } from "../engine/decide.ts";
import type { EngineHolder } from "../engine/engine-holder.ts";
import { AegisError, isAegisError } from "../errors/registry.ts";
import type { CheckRequest, CheckResponse } from "../grpc/ext-authz-types.ts";
import type { IdentityResolver } from "../identity/resolve-identity.ts";
import { toPolicyInput, type InputLimits, type ResolvedIdentity } from "../input/from-check-request.ts";
import { readRequestFacts, type RequestFacts } from "../input/request-facts.ts";
import { withScheduleClock } from "../input/schedule-clock.ts";
import type { CallChainFacts, PolicyInput } from "../input/types.ts";
import { mcpSessionFacts } from "../mcp/mcp-headers.ts";
import type { ApprovalRecord } from "../state/approval-store.ts";
import type { BudgetStore } from "../state/budget-store.ts";
import { readBudgetCounters } from "./budget-counters.ts";
import { callIdentityOf } from "./call-identity.ts";
import { NO_CALL_DIGEST, type CheckObserver, type McpLogFacts } from "./check-event.ts";
import { extProcNeeded } from "./ext-proc-needed.ts";
import { applyHostRules, type OverrideTokens, type StandingUses } from "./host-approvals.ts";
import { maskParams } from "./mask-params.ts";
import { NO_AGENT_VIEW, type AgentView, type PolicyContext } from "./policy-context.ts";
import { invalidRequestResponse, toCheckResponse, type PendingApproval } from "./to-check-response.ts";

/** Records an approval_needed call for a human (ApprovalsService); null: nothing was recorded. */
export interface ApprovalRecorder {
  request(req: ApprovalRequest): Promise<ApprovalRecord | null>;
}

/** Records nothing: approval_needed answers carry no approval id (the embedded SDK). */
export const NO_APPROVALS: ApprovalRecorder = { request: async () => null };

export interface CheckPipelineDeps {
  /** The enforced bundle's engine and policy context, swapped atomically on reload. */
  readonly decider: EngineHolder<PolicyContext>;
  readonly identity: IdentityResolver;
  readonly callChain: (facts: RequestFacts, identity: ResolvedIdentity | null) => Promise<CallChainFacts>;
  readonly budgets: BudgetStore;
  readonly approvals: ApprovalRecorder;
  readonly tokens: OverrideTokens;
  /** Standing approvals (pre-approved call patterns); null: none apply. */
  readonly standing: StandingUses | null;
  readonly limits: InputLimits;
  /** Every tenant behaves as if `mode: shadow` (aegis serve --shadow). */
  readonly shadowGlobal: boolean;
  readonly observer: CheckObserver;
  /** Called after the answer of every decided check, e.g. to run the candidate bundle on it. */
  readonly afterDecision?: ((check: DecidedCheck) => void) | null;
  readonly now?: () => number;
}

export interface CheckResult {
  readonly response: CheckResponse;
  /** The answered decision, after host rules: the one the observer recorded. */
  readonly decision: Decision;
  /**
   * The enforced bundle's own decision, before an override token, a standing approval or a lost
   * budget race changed it (the candidate bundle would be changed by those alike, so it compares
   * against this); null when the request never reached the policy.
   */
  readonly policyDecision: Decision | null;
  /** The policy input (parameters unmasked); null when the request could not be mapped to one. */
  readonly input: PolicyInput | null;
  /** What Envoy enforces: the decision's outcome, or allow when shadowed. */
  readonly effectiveOutcome: Outcome;
  /** Why the request could not be mapped to a policy input; null when it was. */
  readonly invalidReason: string | null;
}

/** A check that reached the policy. */
export interface DecidedCheck extends CheckResult {
  readonly policyDecision: Decision;
  readonly input: PolicyInput;
  readonly invalidReason: null;
}

export type CheckPipeline = (request: CheckRequest) => Promise<CheckResult>;

export function createCheckPipeline(deps: CheckPipelineDeps): CheckPipeline {
  const now = deps.now ?? Date.now;
  const { observer, budgets } = deps;

  return async (request) => {
    const started = performance.now();
    const decisionId = randomUUID();
    const facts = readRequestFacts(request);
    const observed = observer.begin(facts);
    try {
      const identity = await deps.identity(facts);
      const evaluated = await deps.decider.use(async (engine, policy) => {
        const agent = identity === null ? NO_AGENT_VIEW : policy.agent(identity.tenant, identity.agent) ?? NO_AGENT_VIEW;
        const [callChain, spent] = await Promise.all([deps.callChain(facts, identity), readBudgetCounters(budgets, identity, agent, now())]);
        const mapped = toPolicyInput(request, facts, {
          identity, catalog: policy.catalog, callChain, budgets: spent, limits: deps.limits, mcpTool: (tool) => agent.mcpTools.has(tool),
        });
        if (!mapped.ok) return { kind: "invalid" as const, reason: mapped.reason, revision: engine.revision, mcp: mapped.mcp };
        const input = withScheduleClock(mapped.input, agent.scheduleZones, now());
        const evalStart = performance.now();
        const decision = await decide(engine, input, decisionId);
        return { kind: "decided" as const, input, decision, agent, engineMs: performance.now() - evalStart, mcp: mapped.mcp, overrideToken: mapped.overrideToken };
      });

      if (evaluated.kind === "invalid") {
        const decision = invalidRequestDecision(decisionId, evaluated.revision);
        await observed.end({
          decision, input: null, invalidReason: evaluated.reason, effectiveOutcome: "deny", shadowedOutcome: null, approval: null,
          approverChannels: [], callDigest: NO_CALL_DIGEST, tokenRejection: null, budgetRemaining: null, latencyMs: performance.now() - started, engineMs: 0,
          mcp: evaluated.mcp === null ? null : mcpLogFacts(facts, evaluated.mcp.method),
        });
        const response = invalidRequestResponse(decisionId, evaluated.reason, evaluated.revision, evaluated.mcp);
        return { response, decision, policyDecision: null, input: null, effectiveOutcome: "deny", invalidReason: evaluated.reason };
      }

      const { input, agent, engineMs, mcp, overrideToken } = evaluated;
      const policyDecision = evaluated.decision;
      const shadow = policyDecision.mode === "shadow" || deps.shadowGlobal;
      const call = callIdentityOf(input, facts.headers, agent.approvals.bind_headers);
      const redeemByIdentity = agent.approvals.redeem === "identity";
      // Budgets are reserved atomically only for calls that go through, before a token or a
      // standing use is spent, so concurrent calls never overshoot and a lost race spends nothing.
      const { decision, tokenRejection, budgetRemaining } = await applyHostRules({
        budgets, approvals: deps.tokens, standing: deps.standing, owner: identity, agent, call, overrideToken, redeemByIdentity, shadow, now: now(),
      }, policyDecision);

      let approval: PendingApproval | null = null;
      if (decision.outcome === "approval_needed" && !shadow && call !== null) approval = await recordApproval(deps.approvals, call, decision, input, agent);

      const mapped = toCheckResponse(decision, {
        request: facts, shadowGlobal: deps.shadowGlobal, approval, mcp, redeemByIdentity, budgetRemaining: budgetRemaining ?? undefined,
        call: {
          tenant: input.tenant, agent: input.agent, tool: input.tool, action: input.action, mcp_method: input.mcp?.method ?? null,
          ext_proc: extProcNeeded({ shadow, redactParams: decision.outcome === "sanitize" ? decision.redactions.params : [], tool: input.tool, action: input.action, mcpMethod: input.mcp?.method ?? null }, agent),
        },
      });
      await observed.end({
        decision, input: { ...input, params: maskParams(input.params, agent.sanitizedParams) }, invalidReason: null,
        effectiveOutcome: mapped.effectiveOutcome, shadowedOutcome: mapped.shadowedOutcome, approval, approverChannels: agent.approvals.channels,
        callDigest: call === null ? NO_CALL_DIGEST : lazyDigest(call), tokenRejection, budgetRemaining, latencyMs: performance.now() - started, engineMs,
        estimatedCost: estimatedCost(decision.budget_charges, agent.budgets),
        mcp: input.mcp === undefined ? null : mcpLogFacts(facts, input.mcp.method),
      });
      const result: DecidedCheck = { response: mapped.response, decision, policyDecision, input, effectiveOutcome: mapped.effectiveOutcome, invalidReason: null };
      deps.afterDecision?.(result);
      return result;
    } catch (err) {
      const e = isAegisError(err) ? err : new AegisError("AEGIS_ERR_EVAL", err instanceof Error ? err.message : String(err), { cause: err });
      observed.fail(e, performance.now() - started);
      throw e;
    }
  };
}

async function recordApproval(approvals: ApprovalRecorder, call: CallIdentity, decision: Decision, input: PolicyInput, agent: AgentView): Promise<PendingApproval | null> {
  const record = await approvals.request({
    ...call, reason: decision.reason, rule_id: decision.rule_id, policy_version: decision.policy_version,
    params_preview: maskParams(input.params, agent.sanitizedParams), expires_in_seconds: agent.approvals.expires_in_seconds,
    channels: agent.approvals.channels,
  });
  if (record === null) return null;
  return { approval_id: record.id, expires_at: record.expires_at, ...(record.queue_position === null ? {} : { queue_position: record.queue_position }) };
}

function lazyDigest(call: CallIdentity): () => string {
  let digest: string | undefined;
  return () => (digest ??= callDigest(call));
}

function mcpLogFacts(facts: RequestFacts, method: string | null): McpLogFacts {
  const session = mcpSessionFacts(facts.headers);
  return { method, session_id: session?.session_id ?? null, protocol_version: session?.protocol_version ?? null };
}
