// Adapts the aegis.check span (telemetry/tracing.ts) to the check observer. When no OpenTelemetry SDK was
// registered by the instrumentation entry, there is no tracing at all: not even a no-op span.
import type { CheckEvent } from "../authz/check-event.ts";
import { DECISION_ENTRYPOINT } from "../engine/policy-instance.ts";
import { NO_TRACING, type CheckTracing } from "./check-observer.ts";
import { SHUTDOWN_HOOK, startCheckSpan } from "../telemetry/tracing.ts";

export function checkTracing(): CheckTracing {
  if (typeof (globalThis as Record<symbol, unknown>)[SHUTDOWN_HOOK] !== "function") return NO_TRACING;
  return {
    start(headers) {
      const span = startCheckSpan(headers);
      return {
        traceId: span.traceId,
        end(event: CheckEvent, recordHash: string | null) {
          if (!span.recording) return;
          const { decision, input } = event;
          span.end({
            tenant: input?.tenant ?? null, agent_id: input?.agent ?? null, tool: input?.tool ?? null, action: input?.action ?? null,
            policy_version: decision.policy_version, decision: decision.outcome, decision_id: decision.decision_id,
            rule_id: decision.rule_id, reason: decision.reason, enforced: event.effectiveOutcome, mode: decision.mode,
            latency_ms: event.latencyMs, engine_ms: event.engineMs, bundle_revision: decision.policy_version, entrypoint: DECISION_ENTRYPOINT,
            // Only a deny span carries the digest (telemetry/tracing.ts), so only a deny computes it.
            hashed_audit_id: decision.outcome === "deny" ? event.callDigest() : null, redactions: decision.redactions,
            approval_id: event.approval?.approval_id ?? null, approver_channel: event.approverChannels.join(",") || null,
            pending_queue_pos: event.approval?.queue_position ?? null, shadow: event.shadowedOutcome, record_hash: recordHash,
            estimated_cost: event.estimatedCost ?? null,
          });
        },
        error: (code, message) => span.error(code, message),
      };
    },
  };
}
