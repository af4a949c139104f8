// Tracing off (no SDK registered, as when instrumentation.ts finds no OTLP endpoint): the hot
// path gets the API's no-op span and never reads the outcome it is handed.
import { trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { startCheckSpan, type CheckSpanOutcome } from "./tracing.ts";

/** An outcome that records every property read, so the test sees whether attributes were built. */
function watchedOutcome(): { outcome: CheckSpanOutcome; reads: string[] } {
  const reads: string[] = [];
  const outcome = new Proxy({} as CheckSpanOutcome, {
    get(_target, key) {
      reads.push(String(key));
      return "x";
    },
  });
  return { outcome, reads };
}

describe("startCheckSpan with no tracer provider registered", () => {
  it("returns a non-recording span and builds no attributes", () => {
    // Precondition: nothing registered a provider in this process.
    expect(trace.getTracer("probe").startSpan("probe").isRecording()).toBe(false);

    const span = startCheckSpan({ traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" });
    expect(span.recording).toBe(false);
    // No propagator is registered either, so not even the agent's trace id is extracted.
    expect(span.traceId).toBeNull();

    const { outcome, reads } = watchedOutcome();
    span.end(outcome);
    span.error("AEGIS_ERR_EVAL", "boom");
    expect(reads).toEqual([]);
  });
});
