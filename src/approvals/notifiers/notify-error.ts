// Delivery failures carry whether a retry can help, so the queue never has to guess from text.
import { AegisError, isAegisError } from "../../errors/registry.ts";

export interface DeliveryFailure {
  readonly retryable: boolean;
  readonly status?: number;
  readonly retryAfterMs?: number;
}

export function notifyError(message: string, failure: DeliveryFailure, cause?: unknown): AegisError {
  return new AegisError("AEGIS_ERR_NOTIFY", message, { cause, details: { ...failure } });
}

/** How the queue should treat an error a notifier threw. Unknown errors are not retried: they are bugs, not weather. */
export function deliveryFailureOf(err: unknown): DeliveryFailure {
  if (isAegisError(err, "AEGIS_ERR_NOTIFY") && err.details !== undefined) {
    const { retryable, status, retryAfterMs } = err.details;
    return {
      retryable: retryable === true,
      ...(typeof status === "number" ? { status } : {}),
      ...(typeof retryAfterMs === "number" ? { retryAfterMs } : {}),
    };
  }
  return { retryable: false };
}
