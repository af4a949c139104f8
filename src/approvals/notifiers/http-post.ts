// One HTTP POST with the failure classified for the retry policy. Error messages never carry
// the URL: Slack and Teams webhook URLs are bearer secrets.
import { parseRetryAfter } from "./backoff.ts";
import { notifyError } from "./notify-error.ts";

export interface PostOptions {
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

/** Retry-worthy statuses: the receiver is overloaded or briefly broken, not rejecting the message. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

export async function postJson(url: string, body: string, options: PostOptions): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", ...options.headers },
      body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (err) {
    throw notifyError(`network error: ${describeNetworkError(err)}`, { retryable: true }, err);
  }
  if (response.ok) return response;
  const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), Date.now());
  await response.body?.cancel();
  throw notifyError(`receiver answered HTTP ${response.status}`, {
    retryable: isRetryableStatus(response.status),
    status: response.status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === "TimeoutError") return "timed out";
  const cause = err.cause;
  if (cause instanceof Error && "code" in cause && typeof cause.code === "string") return cause.code;
  return err.message;
}
