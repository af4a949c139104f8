// Placeholder until tracing.ts lands: no spans. Replaced by the OpenTelemetry implementation.
import type { CheckTracing } from "../server/check-observer.ts";

export function checkTracing(): CheckTracing | null {
  return null;
}
