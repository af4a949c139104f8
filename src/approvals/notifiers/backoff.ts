// Retry timing for notification delivery: exponential backoff with full jitter, and the
// receiver's Retry-After when it asks for more patience than the backoff would give.

export interface BackoffOptions {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * Delay before retry number `retry` (1 = the first retry). Full jitter (a uniform draw in
 * [0, min(max, base·2^(retry-1))]) spreads retries from many replicas that failed together.
 */
export function backoffDelayMs(retry: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/** Retry-After as milliseconds from `nowMs`: delta-seconds or an HTTP-date; undefined when absent or unusable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date always names a weekday and month; without letters Date.parse would accept "-5" as a year.
  if (!/[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** The wait before the next attempt: the jittered backoff, raised to Retry-After, capped by `ceilingMs`. */
export function nextDelayMs(retry: number, options: BackoffOptions, retryAfterMs: number | undefined, ceilingMs: number, random?: () => number): number {
  const jittered = backoffDelayMs(retry, options, random);
  return Math.min(ceilingMs, Math.max(jittered, retryAfterMs ?? 0));
}
