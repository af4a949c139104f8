import { afterEach, describe, expect, it } from "vitest";
import { notifyError } from "./notify-error.ts";
import { createNotificationQueue, type NotificationQueue, type NotificationQueueOptions } from "./notification-queue.ts";
import { APPROVAL, LINKS, recordingLogger } from "../../../test/support/notifiers/fixtures.ts";
import { type LocalReceiver, type ScriptedAnswer, startReceiver } from "../../../test/support/notifiers/local-receiver.ts";
import type { Notifier } from "./types.ts";
import { createWebhookNotifier } from "./webhook-notifier.ts";

const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function setup(answers: ScriptedAnswer[], options: Partial<NotificationQueueOptions> = {}) {
  const receiver: LocalReceiver = await startReceiver(answers);
  const logger = recordingLogger();
  const queue: NotificationQueue = createNotificationQueue({
    notifiers: [createWebhookNotifier({ url: receiver.url, secret: "s" })],
    retry: FAST_RETRY,
    logger,
    ...options,
  });
  cleanups.push(async () => {
    await queue.close();
    await receiver.close();
  });
  return { receiver, logger, queue };
}

describe("notification queue", () => {
  it("delivers once after two 503s, on the third attempt", async () => {
    const { receiver, queue, logger } = await setup([{ status: 503 }, { status: 503 }, { status: 200 }]);
    queue.enqueue(APPROVAL, LINKS);
    await queue.drain();
    expect(receiver.requests).toHaveLength(3);
    expect(queue.stats()).toEqual({ delivered: 1, failed: 0, dropped: 0, pending: 0 });
    expect(logger.entries.filter((e) => e.level === "warn")).toHaveLength(2);
    expect(logger.entries.at(-1)).toMatchObject({ level: "info", obj: { approval_id: APPROVAL.id, channel: "webhook", attempts: 3 } });
  });

  it("does not retry a permanent 400 and logs the failure", async () => {
    const { receiver, queue, logger } = await setup([{ status: 400 }]);
    queue.enqueue(APPROVAL, LINKS);
    await queue.drain();
    expect(receiver.requests).toHaveLength(1);
    expect(queue.stats()).toMatchObject({ delivered: 0, failed: 1 });
    expect(logger.entries).toEqual([
      expect.objectContaining({ level: "error", msg: "approval notification failed; giving up", obj: expect.objectContaining({ status: 400, attempts: 1 }) }),
    ]);
  });

  it("gives up after the configured number of attempts", async () => {
    const { receiver, queue, logger } = await setup([{ status: 503 }], { retry: { ...FAST_RETRY, attempts: 4 } });
    queue.enqueue(APPROVAL, LINKS);
    await queue.drain();
    expect(receiver.requests).toHaveLength(4);
    expect(queue.stats()).toMatchObject({ delivered: 0, failed: 1 });
    expect(logger.entries.at(-1)).toMatchObject({ level: "error", obj: { attempts: 4, status: 503 } });
  });

  it("waits at least the receiver's Retry-After before retrying a 429", async () => {
    const { receiver, queue } = await setup([{ status: 429, headers: { "retry-after": "1" } }, { status: 200 }], { random: () => 0 });
    const started = Date.now();
    queue.enqueue(APPROVAL, LINKS);
    await queue.drain();
    expect(receiver.requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("returns from enqueue before any request is made", async () => {
    const { receiver, queue } = await setup([{ status: 200 }]);
    queue.enqueue(APPROVAL, LINKS);
    expect(receiver.requests).toHaveLength(0);
    expect(queue.stats().pending).toBe(1);
    await queue.drain();
    expect(receiver.requests).toHaveLength(1);
  });

  it("never throws into the caller, even when a notifier throws synchronously", async () => {
    const logger = recordingLogger();
    const broken: Notifier = {
      channel: "slack",
      send: () => {
        throw new Error("boom");
      },
    };
    const queue = createNotificationQueue({ notifiers: [broken], retry: FAST_RETRY, logger });
    expect(() => queue.enqueue(APPROVAL, LINKS)).not.toThrow();
    await queue.drain();
    expect(queue.stats()).toMatchObject({ failed: 1 });
    expect(logger.entries[0]).toMatchObject({ level: "error", obj: { err: "boom" } });
  });

  it("notifies only the channels the approval routes to", async () => {
    const sent: string[] = [];
    const fake = (channel: Notifier["channel"]): Notifier => ({ channel, send: async () => void sent.push(channel) });
    const queue = createNotificationQueue({ notifiers: [fake("slack"), fake("teams"), fake("webhook")], retry: FAST_RETRY, logger: recordingLogger() });
    queue.enqueue(APPROVAL, LINKS, ["teams", "webhook"]);
    await queue.drain();
    expect(sent.sort()).toEqual(["teams", "webhook"]);
  });

  it("drops and counts deliveries beyond maxPending", async () => {
    const logger = recordingLogger();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: Notifier = { channel: "webhook", send: () => gate };
    const queue = createNotificationQueue({ notifiers: [slow], retry: FAST_RETRY, logger, maxPending: 2 });
    for (let i = 0; i < 3; i++) queue.enqueue({ ...APPROVAL, id: `apr_${i}` }, LINKS);
    expect(queue.stats()).toMatchObject({ pending: 2, dropped: 1 });
    expect(logger.entries[0]).toMatchObject({ level: "error", obj: { approval_id: "apr_2" } });
    release();
    await queue.drain();
    expect(queue.stats()).toMatchObject({ delivered: 2, dropped: 1 });
  });

  it("abandons retry waits at close instead of holding shutdown", async () => {
    const transient: Notifier = {
      channel: "webhook",
      send: async () => {
        throw notifyError("busy", { retryable: true, retryAfterMs: 60_000 });
      },
    };
    const logger = recordingLogger();
    const queue = createNotificationQueue({ notifiers: [transient], retry: { ...FAST_RETRY, attempts: 5 }, logger });
    queue.enqueue(APPROVAL, LINKS);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = Date.now();
    await queue.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(queue.stats()).toMatchObject({ failed: 1, pending: 0 });
    expect(logger.entries.at(-1)?.msg).toBe("approval notification abandoned at shutdown");
    queue.enqueue(APPROVAL, LINKS);
    expect(queue.stats().dropped).toBe(1);
  });
});
