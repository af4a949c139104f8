// Where a finished check goes: Prometheus metrics, the pino log, the hash-chained decision log
// and the span. Only low-cardinality values become labels; only masked parameters are written.
import type { CheckEvent, CheckObserver } from "../authz/check-event.ts";
import { redactionMask } from "../decision/redaction-mask.ts";
import { AegisError } from "../errors/registry.ts";
import type { RequestFacts } from "../input/request-facts.ts";
import type { Logger } from "../telemetry/logger.ts";
import type { Metrics } from "../telemetry/metrics.ts";

import type { DecisionRecorder } from "./decision-recorder.ts";

/** The span side, kept abstract so tracing can be swapped; NO_TRACING when no SDK is registered. */
export interface CheckTracing {
  start(headers: Readonly<Record<string, string>>): CheckSpan;
}

export interface CheckSpan {
  readonly traceId: string | null;
  end(event: CheckEvent, recordHash: string | null): void;
  error(code: string, message: string): void;
}

const UNTRACED: CheckSpan = { traceId: null, end: () => undefined, error: () => undefined };

/** No tracing SDK: no span, not even a no-op one from the OpenTelemetry API. */
export const NO_TRACING: CheckTracing = { start: () => UNTRACED };

export interface ObserverOptions {
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly decisions: DecisionRecorder;
  readonly tracing: CheckTracing;
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

export function createCheckObserver(opts: ObserverOptions): CheckObserver {
  const { metrics, logger, decisions, tracing } = opts;
  return {
    begin(facts: RequestFacts) {
      const span = tracing.start(facts.headers);
      const traceId = span.traceId ?? TRACEPARENT.exec(facts.traceparent ?? "")?.[1] ?? null;
      return {
        async end(event: CheckEvent) {
          const { decision } = event;
          metrics.decisions.inc({ outcome: decision.outcome, reason: decision.reason });
          metrics.observeCheckDuration(event.effectiveOutcome, event.latencyMs / 1000);
          if (event.engineMs > 0) metrics.observeEngineEval(event.engineMs / 1000);
          if (event.budgetRemaining !== null && event.input?.tenant != null && event.input.agent != null) {
            for (const [budget, remaining] of Object.entries(event.budgetRemaining)) {
              metrics.budgetRemaining.set({ tenant: event.input.tenant, agent: event.input.agent, budget }, remaining);
            }
          }
          if (event.tokenRejection !== null) {
            logger.warn({ decision_id: decision.decision_id, reason: event.tokenRejection, tenant: event.input?.tenant, agent_id: event.input?.agent }, "override token rejected");
          }
          let recordHash: string | null = null;
          if (decisions.records(decision.outcome)) {
            const written = decisions.record(decisionRecord(event, facts, traceId));
            recordHash = written instanceof Promise ? await written : written;
          }
          span.end(event, recordHash);
          if (logger.isLevelEnabled("debug")) logger.debug({ decision_id: decision.decision_id, outcome: decision.outcome, reason: decision.reason, rule_id: decision.rule_id, latency_ms: event.latencyMs }, "check");
        },
        fail(err: AegisError, latencyMs: number) {
          metrics.checkErrors.inc({ code: err.code });
          metrics.checkDuration.observe({ outcome: "error" }, latencyMs / 1000);
          span.error(err.code, err.message);
          logger.error({ code: err.code, err: err.message, request_id: facts.requestId }, "check failed; answered with a gRPC error (fail closed)");
        },
      };
    },
  };
}

/** One decision-log line: SPEC §6 fields per outcome, never raw sanitized values or tokens. */
export function decisionRecord(event: CheckEvent, facts: RequestFacts, traceId: string | null): Record<string, unknown> {
  const { decision, input } = event;
  const record: Record<string, unknown> = {
    type: "decision",
    time: new Date().toISOString(),
    decision_id: decision.decision_id,
    trace_id: traceId,
    request_id: facts.requestId || null,
    tenant: input?.tenant ?? null,
    agent_id: input?.agent ?? null,
    tool: input?.tool ?? null,
    action: input?.action ?? null,
    policy_version: decision.policy_version,
    decision: decision.outcome,
    enforced: event.effectiveOutcome,
    latency_ms: Math.round(event.latencyMs * 1000) / 1000,
    rule_id: decision.rule_id,
    reason: decision.reason,
    hashed_audit_id: event.callDigest(),
  };
  if (decision.outcome === "deny") record.deny_reasons = decision.deny_reasons.map((d) => d.reason);
  if (decision.outcome === "sanitize") record.redaction_mask = redactionMask(decision.redactions);
  if (decision.outcome === "approval_needed") {
    record.approval_id = event.approval?.approval_id ?? null;
    record.approver_channel = event.approverChannels.join(",");
    record.pending_queue_pos = event.approval?.queue_position ?? null;
    // What the threshold judged (amount, threshold, hard limit): the shadow report tunes from it.
    if (decision.approval !== null) record.approval = decision.approval;
  }
  if (event.estimatedCost != null) record.estimated_cost = event.estimatedCost;
  if (event.shadowedOutcome !== null) record.shadow = event.shadowedOutcome;
  if (event.tokenRejection !== null) record.override_token = event.tokenRejection;
  if (event.invalidReason !== null) record.invalid_reason = event.invalidReason;
  // MCP: the method, and the session and protocol version the client named (SPEC §7).
  if (event.mcp !== null && event.mcp !== undefined) record.mcp = event.mcp;
  // Everything the policy read, so `aegis replay` can re-decide the call (params already masked).
  if (input !== null) {
    record.input = {
      host: input.host, method: input.method, path: input.path, params: input.params, call_chain: input.call_chain, identity_source: input.identity_source,
      port: input.port ?? null, scheme: input.scheme ?? "", truncated_body: input.truncated_body, ...(input.unread_body === true ? { unread_body: true } : {}), budgets: input.budgets,
    };
  }
  return record;
}
