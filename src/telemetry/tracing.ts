// The `aegis.check` span: a child of the agent's trace (W3C traceparent/tracestate from the
// request headers Envoy forwarded), carrying the SPEC §6 fields of its outcome. Depends on
// @opentelemetry/api only: without a registered SDK (src/telemetry/instrumentation.ts) every
// call here is the API's no-op, and end() returns before reading its argument.
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  propagation,
  trace,
  type Attributes,
  type Span,
  type TextMapGetter,
} from "@opentelemetry/api";
import { performance } from "node:perf_hooks";
import { redactionMask } from "../decision/redaction-mask.ts";

export const CHECK_SPAN_NAME = "aegis.check";

/** Span attribute names (documented in docs/observability.md); values are never parameter values, tokens or secrets. */
export const ATTR = {
  tenant: "aegis.tenant",
  agentId: "aegis.agent_id",
  tool: "aegis.tool",
  action: "aegis.action",
  policyVersion: "aegis.policy_version",
  decision: "aegis.decision",
  enforced: "aegis.enforced",
  mode: "aegis.mode",
  latencyMs: "aegis.latency_ms",
  decisionId: "aegis.decision_id",
  engineMs: "aegis.engine_ms",
  bundleRevision: "aegis.bundle.revision",
  entrypoint: "aegis.entrypoint",
  recordHash: "aegis.audit.record_hash",
  ruleId: "aegis.rule_id",
  reason: "aegis.reason",
  hashedAuditId: "aegis.hashed_audit_id",
  redactionMask: "aegis.redaction_mask",
  approvalId: "aegis.approval_id",
  approverChannel: "aegis.approver_channel",
  pendingQueuePos: "aegis.pending_queue_pos",
  shadowWould: "aegis.shadow.would",
  estimatedCost: "aegis.estimated_cost",
  errorCode: "aegis.error.code",
  // The semantic-conventions name, so generic backends group failures by it.
  errorType: "error.type",
} as const;

/** What the check handler knows once it has answered; plain values, already safe to export. */
export interface CheckSpanOutcome {
  readonly tenant: string | null;
  readonly agent_id: string | null;
  readonly tool: string | null;
  readonly action: string | null;
  readonly policy_version: string;
  /** The policy's outcome (allow | deny | sanitize | approval_needed), as in the decision log. */
  readonly decision: string;
  readonly decision_id: string;
  readonly rule_id: string;
  readonly reason: string;
  /** What Envoy enforced when it differs from `decision` (shadow mode answers allow). */
  readonly enforced?: string;
  /** enforce | shadow */
  readonly mode?: string;
  /** Whole check time; measured from startCheckSpan when absent. */
  readonly latency_ms?: number;
  readonly engine_ms?: number;
  readonly bundle_revision?: string;
  readonly entrypoint?: string;
  /** Hash of the call (tenant, agent, tool, action, method, host, path, canonical params): joins spans to audit records without the values. */
  readonly hashed_audit_id?: string | null;
  /** Names only: which headers, query parameters and body parameters a sanitize rule redacted. */
  readonly redactions?: {
    readonly headers: readonly string[];
    readonly query: readonly string[];
    readonly params: readonly string[];
  };
  readonly approval_id?: string | null;
  readonly approver_channel?: string | null;
  readonly pending_queue_pos?: number | null;
  /** Shadow mode: what the policy would have done. */
  readonly shadow?: "would_deny" | "would_need_approval" | null;
  /** Hash of the decision-log record written for this check. */
  readonly record_hash?: string | null;
  /** The call's cost from its spend-budget charges; every outcome. */
  readonly estimated_cost?: number | null;
}

export interface CheckSpan {
  /** False when tracing is off or this trace is not sampled: end() then does nothing. */
  readonly recording: boolean;
  /** The span's trace id (the agent's, when it sent a traceparent); null when there is no valid one. */
  readonly traceId: string | null;
  /** Sets the outcome's attributes and ends the span; later calls are ignored. */
  end(outcome: CheckSpanOutcome): void;
  /** The check failed (answered with a gRPC error): status ERROR with the code, and ends the span. */
  error(code: string, message: string): void;
}

/** Reads Envoy's header map, whose names are already lower case. */
const headerGetter: TextMapGetter<Readonly<Record<string, string>>> = {
  get: (headers, key) => headers[key],
  keys: (headers) => Object.keys(headers),
};

const tracer = trace.getTracer("aegis");

/** Where src/telemetry/instrumentation.ts leaves its shutdown, so this module needs no SDK import. */
export const SHUTDOWN_HOOK = Symbol.for("aegis.telemetry.tracing.shutdown");

/** Starts `aegis.check` (kind SERVER) as a child of the trace named by the request's traceparent, if any. */
export function startCheckSpan(headers: Readonly<Record<string, string>>): CheckSpan {
  // ROOT_CONTEXT, not the active one: the parent is the agent's call, never whatever the server had active.
  const parent = propagation.extract(ROOT_CONTEXT, headers, headerGetter);
  const span = tracer.startSpan(CHECK_SPAN_NAME, { kind: SpanKind.SERVER }, parent);
  if (!span.isRecording()) return nonRecording(span);
  return recordingCheckSpan(span, performance.now());
}

/** Ends every span the SDK still buffers (exported by the instrumentation entry); resolves at once when tracing is off. */
export function shutdownTracing(): Promise<void> {
  const hook = (globalThis as Record<symbol, unknown>)[SHUTDOWN_HOOK];
  return typeof hook === "function" ? Promise.resolve((hook as () => Promise<void>)()) : Promise.resolve();
}

function nonRecording(span: Span): CheckSpan {
  const context = span.spanContext();
  const traceId = trace.isSpanContextValid(context) ? context.traceId : null;
  return {
    recording: false,
    traceId,
    end: () => span.end(),
    error: () => span.end(),
  };
}

function recordingCheckSpan(span: Span, startedAt: number): CheckSpan {
  let ended = false;
  return {
    recording: true,
    traceId: span.spanContext().traceId,
    end(outcome) {
      if (ended) return;
      ended = true;
      span.setAttributes(outcomeAttributes(outcome, performance.now() - startedAt));
      span.end();
    },
    error(code, message) {
      if (ended) return;
      ended = true;
      span.setAttributes({ [ATTR.errorCode]: code, [ATTR.errorType]: code, [ATTR.latencyMs]: performance.now() - startedAt });
      span.setStatus({ code: SpanStatusCode.ERROR, message });
      span.end();
    },
  };
}

/** SPEC §6: the base fields always, plus the fields of the decision's outcome. */
export function outcomeAttributes(outcome: CheckSpanOutcome, measuredLatencyMs: number): Attributes {
  const attributes: Attributes = {
    [ATTR.policyVersion]: outcome.policy_version,
    [ATTR.decision]: outcome.decision,
    [ATTR.decisionId]: outcome.decision_id,
    [ATTR.latencyMs]: outcome.latency_ms ?? measuredLatencyMs,
  };
  // Unknown identity or tool (an unknown_agent deny) leaves the attribute out rather than inventing one.
  setPresent(attributes, ATTR.tenant, outcome.tenant);
  setPresent(attributes, ATTR.agentId, outcome.agent_id);
  setPresent(attributes, ATTR.tool, outcome.tool);
  setPresent(attributes, ATTR.action, outcome.action);
  setPresent(attributes, ATTR.enforced, outcome.enforced);
  setPresent(attributes, ATTR.mode, outcome.mode);
  setPresent(attributes, ATTR.engineMs, outcome.engine_ms);
  setPresent(attributes, ATTR.bundleRevision, outcome.bundle_revision);
  setPresent(attributes, ATTR.entrypoint, outcome.entrypoint);
  setPresent(attributes, ATTR.recordHash, outcome.record_hash);
  setPresent(attributes, ATTR.shadowWould, outcome.shadow);
  setPresent(attributes, ATTR.estimatedCost, outcome.estimated_cost);
  switch (outcome.decision) {
    case "deny":
      attributes[ATTR.ruleId] = outcome.rule_id;
      attributes[ATTR.reason] = outcome.reason;
      setPresent(attributes, ATTR.hashedAuditId, outcome.hashed_audit_id);
      break;
    case "sanitize":
      attributes[ATTR.ruleId] = outcome.rule_id;
      if (outcome.redactions !== undefined) attributes[ATTR.redactionMask] = redactionMask(outcome.redactions);
      break;
    case "approval_needed":
      setPresent(attributes, ATTR.approvalId, outcome.approval_id);
      setPresent(attributes, ATTR.approverChannel, outcome.approver_channel);
      setPresent(attributes, ATTR.pendingQueuePos, outcome.pending_queue_pos);
      break;
  }
  return attributes;
}


function setPresent(attributes: Attributes, key: string, value: string | number | null | undefined): void {
  if (value !== null && value !== undefined) attributes[key] = value;
}
