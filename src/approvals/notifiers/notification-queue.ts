// Delivers approval notices off the hot path: enqueue returns at once, each notifier gets its own
// retry loop, and nothing a receiver does can throw back into the caller. A notice that cannot be
// delivered is logged and counted; the approval itself stays pending and visible in the API.
import { setTimeout as sleep } from "node:timers/promises";
import { nextDelayMs } from "./backoff.ts";
import { deliveryFailureOf } from "./notify-error.ts";
import type { ApprovalLinks, ApprovalNotice, Notifier, NotifierChannel, NotifierLogger } from "./types.ts";

export interface RetryOptions {
  /** Total attempts per notifier, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Upper bound on a receiver's Retry-After; default 5 minutes. */
  readonly maxRetryAfterMs?: number;
}

export interface NotificationQueueOptions {
  readonly notifiers: readonly Notifier[];
  readonly retry: RetryOptions;
  readonly logger: NotifierLogger;
  /** Deliveries in progress (waits included) beyond which new ones are dropped and counted; default 1000. */
  readonly maxPending?: number;
  readonly random?: () => number;
}

export interface NotificationStats {
  readonly delivered: number;
  readonly failed: number;
  readonly dropped: number;
  readonly pending: number;
}

export interface NotificationQueue {
  /** Schedules delivery to every notifier, or only to those whose channel is listed. Never throws. */
  enqueue(approval: ApprovalNotice, links: ApprovalLinks, channels?: readonly NotifierChannel[]): void;
  /** Resolves when every delivery enqueued so far was delivered or given up. */
  drain(): Promise<void>;
  /** Stops accepting, abandons retry waits (logged as failures), and waits for attempts in flight. */
  close(): Promise<void>;
  stats(): NotificationStats;
}

const DEFAULT_MAX_PENDING = 1000;
const DEFAULT_MAX_RETRY_AFTER_MS = 300_000;

export function createNotificationQueue(options: NotificationQueueOptions): NotificationQueue {
  const { notifiers, retry, logger } = options;
  const maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  const ceilingMs = retry.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  const closing = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let delivered = 0;
  let failed = 0;
  let dropped = 0;

  async function deliver(notifier: Notifier, approval: ApprovalNotice, links: ApprovalLinks): Promise<void> {
    // Yield first, so even a notifier that does synchronous work never runs inside enqueue.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const context = { approval_id: approval.id, tenant: approval.tenant, channel: notifier.channel };
    for (let attempt = 1; ; attempt++) {
      try {
        await notifier.send(approval, links);
        delivered++;
        logger.info({ ...context, attempts: attempt }, "approval notification delivered");
        return;
      } catch (err) {
        const failure = deliveryFailureOf(err);
        const detail = { ...context, attempts: attempt, status: failure.status, err: errorMessage(err) };
        if (!failure.retryable || attempt >= retry.attempts) {
          failed++;
          logger.error(detail, "approval notification failed; giving up");
          return;
        }
        const delayMs = nextDelayMs(attempt, retry, failure.retryAfterMs, ceilingMs, options.random);
        logger.warn({ ...detail, retry_in_ms: delayMs }, "approval notification failed; will retry");
        try {
          await sleep(delayMs, undefined, { signal: closing.signal });
        } catch {
          failed++;
          logger.error(detail, "approval notification abandoned at shutdown");
          return;
        }
      }
    }
  }

  function track(job: Promise<void>): void {
    inFlight.add(job);
    void job.finally(() => inFlight.delete(job));
  }

  return {
    enqueue(approval, links, channels) {
      for (const notifier of notifiers) {
        if (channels !== undefined && !channels.includes(notifier.channel)) continue;
        if (closing.signal.aborted || inFlight.size >= maxPending) {
          dropped++;
          logger.error(
            { approval_id: approval.id, channel: notifier.channel, pending: inFlight.size },
            closing.signal.aborted ? "approval notification dropped: queue closed" : "approval notification dropped: too many pending",
          );
          continue;
        }
        // deliver() catches everything it can; this catch is for a logger that throws.
        track(deliver(notifier, approval, links).catch(() => undefined));
      }
    },
    async drain() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    async close() {
      closing.abort();
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    stats() {
      return { delivered, failed, dropped, pending: inFlight.size };
    },
  };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
