// startCheckSpan/end against the real SDK with an in-memory exporter: parentage from the
// agent's traceparent, and the SPEC §6 attributes of each outcome.
import { SpanKind, SpanStatusCode, context, propagation, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { CHECK_SPAN_NAME, SHUTDOWN_HOOK, shutdownTracing, startCheckSpan, type CheckSpanOutcome } from "./tracing.ts";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN_ID = "00f067aa0ba902b7";
const SAMPLED = { traceparent: `00-${TRACE_ID}-${PARENT_SPAN_ID}-01` };

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

beforeAll(() => {
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});
beforeEach(() => exporter.reset());

function onlySpan(): ReadableSpan {
  const spans = exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0] as ReadableSpan;
}

const base = {
  tenant: "acme",
  agent_id: "finance-agent",
  tool: "stripe-payments",
  action: "create_payment",
  policy_version: "rev-7",
  decision_id: "0b4a6c1e-8d7f-4a51-9a58-2f1c3e5d7a90",
  latency_ms: 0.42,
} as const;
const baseAttributes = {
  "aegis.tenant": "acme",
  "aegis.agent_id": "finance-agent",
  "aegis.tool": "stripe-payments",
  "aegis.action": "create_payment",
  "aegis.policy_version": "rev-7",
  "aegis.decision_id": "0b4a6c1e-8d7f-4a51-9a58-2f1c3e5d7a90",
  "aegis.latency_ms": 0.42,
};

// Each outcome carries the base fields plus exactly its own (SPEC §6), whatever else the caller passes.
const everything = {
  hashed_audit_id: "sha256:9f2c",
  redactions: { headers: ["x-api-key"], query: ["token"], params: ["card_number"] },
  approval_id: "apr_123",
  approver_channel: "slack",
  pending_queue_pos: 3,
};
const OUTCOME_CASES: readonly { name: string; outcome: CheckSpanOutcome; attributes: Record<string, unknown> }[] = [
  {
    name: "allow: the base fields only",
    outcome: { ...base, ...everything, decision: "allow", reason: "within_limit", rule_id: "acme/finance-agent/allowed_tools/stripe-payments/conditions/approval_threshold" },
    attributes: { ...baseAttributes, "aegis.decision": "allow" },
  },
  {
    name: "deny: + rule_id, reason, hashed_audit_id",
    outcome: { ...base, ...everything, decision: "deny", reason: "egress_denied", rule_id: "acme/egress_allowlist" },
    attributes: {
      ...baseAttributes,
      "aegis.decision": "deny",
      "aegis.rule_id": "acme/egress_allowlist",
      "aegis.reason": "egress_denied",
      "aegis.hashed_audit_id": "sha256:9f2c",
    },
  },
  {
    name: "sanitize: + redaction_mask (names only), rule_id",
    outcome: { ...base, ...everything, decision: "sanitize", reason: "sanitized", rule_id: "acme/finance-agent/allowed_tools/stripe-payments/sanitize" },
    attributes: {
      ...baseAttributes,
      "aegis.decision": "sanitize",
      "aegis.rule_id": "acme/finance-agent/allowed_tools/stripe-payments/sanitize",
      "aegis.redaction_mask": "headers:x-api-key,query:token,params:card_number",
    },
  },
  {
    name: "approval_needed: + approval_id, approver_channel, pending_queue_pos",
    outcome: { ...base, ...everything, decision: "approval_needed", reason: "approval_needed", rule_id: "acme/finance-agent/allowed_tools/stripe-payments/conditions/approval_threshold" },
    attributes: {
      ...baseAttributes,
      "aegis.decision": "approval_needed",
      "aegis.approval_id": "apr_123",
      "aegis.approver_channel": "slack",
      "aegis.pending_queue_pos": 3,
    },
  },
  {
    name: "shadow deny: the real decision, what Envoy enforced, and aegis.shadow.would",
    outcome: { ...base, decision: "deny", enforced: "allow", mode: "shadow", shadow: "would_deny", reason: "blocked_over_hard_limit", rule_id: "acme/finance-agent/allowed_tools/stripe-payments/conditions/hard_limit", hashed_audit_id: "sha256:9f2c" },
    attributes: {
      ...baseAttributes,
      "aegis.decision": "deny",
      "aegis.enforced": "allow",
      "aegis.mode": "shadow",
      "aegis.shadow.would": "would_deny",
      "aegis.rule_id": "acme/finance-agent/allowed_tools/stripe-payments/conditions/hard_limit",
      "aegis.reason": "blocked_over_hard_limit",
      "aegis.hashed_audit_id": "sha256:9f2c",
    },
  },
  {
    name: "shadow approval: aegis.shadow.would = would_need_approval, no approval was recorded",
    outcome: { ...base, decision: "approval_needed", enforced: "allow", shadow: "would_need_approval", reason: "approval_needed", rule_id: "r", approval_id: null, pending_queue_pos: null },
    attributes: { ...baseAttributes, "aegis.decision": "approval_needed", "aegis.enforced": "allow", "aegis.shadow.would": "would_need_approval" },
  },
  {
    name: "engine time, bundle revision, entrypoint and decision-log record hash when given",
    outcome: { ...base, decision: "allow", reason: "allowed", rule_id: "r", engine_ms: 0.08, bundle_revision: "rev-7", entrypoint: "aegis/decision", record_hash: "sha256:ab12" },
    attributes: {
      ...baseAttributes,
      "aegis.decision": "allow",
      "aegis.engine_ms": 0.08,
      "aegis.bundle.revision": "rev-7",
      "aegis.entrypoint": "aegis/decision",
      "aegis.audit.record_hash": "sha256:ab12",
    },
  },
  {
    name: "unknown identity and tool: those attributes are left out, not invented",
    outcome: { ...base, tenant: null, agent_id: null, tool: null, action: null, decision: "deny", reason: "unknown_agent", rule_id: "aegis/unknown_agent", hashed_audit_id: null },
    attributes: {
      "aegis.policy_version": "rev-7",
      "aegis.decision_id": base.decision_id,
      "aegis.latency_ms": 0.42,
      "aegis.decision": "deny",
      "aegis.rule_id": "aegis/unknown_agent",
      "aegis.reason": "unknown_agent",
    },
  },
];

describe("startCheckSpan with an SDK registered", () => {
  it("starts aegis.check (SERVER) as a child of the agent's traceparent, keeping its tracestate", () => {
    const span = startCheckSpan({ ...SAMPLED, tracestate: "vendor=opaque", "content-type": "application/json" });
    expect(span.recording).toBe(true);
    expect(span.traceId).toBe(TRACE_ID);
    span.end({ ...base, decision: "allow", reason: "allowed", rule_id: "r" });

    const exported = onlySpan();
    expect(exported.name).toBe(CHECK_SPAN_NAME);
    expect(exported.kind).toBe(SpanKind.SERVER);
    expect(exported.spanContext().traceId).toBe(TRACE_ID);
    expect(exported.parentSpanContext?.spanId).toBe(PARENT_SPAN_ID);
    expect(exported.parentSpanContext?.isRemote).toBe(true);
    expect(exported.spanContext().traceState?.serialize()).toBe("vendor=opaque");
  });

  it.each([
    ["no traceparent", {}],
    ["a malformed traceparent", { traceparent: "not-a-traceparent" }],
    ["an all-zero trace id", { traceparent: `00-${"0".repeat(32)}-${PARENT_SPAN_ID}-01` }],
  ])("starts a new root trace for %s", (_name, headers: Record<string, string>) => {
    const span = startCheckSpan(headers);
    span.end({ ...base, decision: "allow", reason: "allowed", rule_id: "r" });
    const exported = onlySpan();
    expect(exported.parentSpanContext).toBeUndefined();
    expect(exported.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(exported.spanContext().traceId).not.toBe("0".repeat(32));
    expect(span.traceId).toBe(exported.spanContext().traceId);
  });

  it("follows the agent's sampling decision: an unsampled parent yields a non-recording span", () => {
    const span = startCheckSpan({ traceparent: `00-${TRACE_ID}-${PARENT_SPAN_ID}-00` });
    expect(span.recording).toBe(false);
    expect(span.traceId).toBe(TRACE_ID);
    span.end({ ...base, decision: "deny", reason: "egress_denied", rule_id: "r" });
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it.each(OUTCOME_CASES)("$name", ({ outcome, attributes }) => {
    startCheckSpan(SAMPLED).end(outcome);
    const exported = onlySpan();
    expect(exported.attributes).toEqual(attributes);
    expect(exported.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("measures latency from the start when the caller gives none", () => {
    const span = startCheckSpan(SAMPLED);
    const { latency_ms: _given, ...withoutLatency } = base;
    span.end({ ...withoutLatency, decision: "allow", reason: "allowed", rule_id: "r" });
    const latency = onlySpan().attributes["aegis.latency_ms"];
    expect(typeof latency).toBe("number");
    expect(latency as number).toBeGreaterThanOrEqual(0);
    expect(latency as number).toBeLessThan(1_000);
  });

  it("error() sets status ERROR with the error code and ends the span; a later end() is ignored", () => {
    const span = startCheckSpan(SAMPLED);
    span.error("AEGIS_ERR_NO_BUNDLE", "no bundle is loaded");
    span.end({ ...base, decision: "allow", reason: "allowed", rule_id: "r" });
    const exported = onlySpan();
    expect(exported.status).toEqual({ code: SpanStatusCode.ERROR, message: "no bundle is loaded" });
    expect(exported.attributes["aegis.error.code"]).toBe("AEGIS_ERR_NO_BUNDLE");
    expect(exported.attributes["error.type"]).toBe("AEGIS_ERR_NO_BUNDLE");
    expect(exported.attributes["aegis.decision"]).toBeUndefined();
  });

  it("ends once: a second end() neither re-exports nor overwrites the attributes", () => {
    const span = startCheckSpan(SAMPLED);
    span.end({ ...base, decision: "deny", reason: "egress_denied", rule_id: "first" });
    span.end({ ...base, decision: "allow", reason: "allowed", rule_id: "second" });
    const exported = onlySpan();
    expect(exported.attributes["aegis.decision"]).toBe("deny");
    expect(exported.attributes["aegis.rule_id"]).toBe("first");
  });
});

describe("shutdownTracing", () => {
  it("calls the hook the instrumentation entry left, and resolves when there is none", async () => {
    await expect(shutdownTracing()).resolves.toBeUndefined();
    const hook = vi.fn(async () => undefined);
    const global = globalThis as Record<symbol, unknown>;
    global[SHUTDOWN_HOOK] = hook;
    try {
      await shutdownTracing();
      expect(hook).toHaveBeenCalledOnce();
    } finally {
      delete global[SHUTDOWN_HOOK];
    }
  });
});
