// Delivers a signed JSON event to any HTTPS endpoint (ticketing, PagerDuty bridges, custom bots).
import { postJson } from "./http-post.ts";
import type { ApprovalLinks, ApprovalNotice, Notifier } from "./types.ts";
import { SIGNATURE_HEADER, signWebhookBody, TIMESTAMP_HEADER } from "./webhook-signature.ts";

export const WEBHOOK_EVENT_TYPE = "aegis.approval.requested";

export interface WebhookNotifierOptions {
  readonly url: string;
  readonly secret: string;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

export interface WebhookEvent {
  readonly type: typeof WEBHOOK_EVENT_TYPE;
  /** Unix seconds; equal to the x-aegis-timestamp header. */
  readonly timestamp: number;
  readonly approval: ApprovalNotice;
  readonly links: ApprovalLinks;
}

export function createWebhookNotifier(options: WebhookNotifierOptions): Notifier {
  const now = options.now ?? Date.now;
  return {
    channel: "webhook",
    async send(approval, links) {
      const timestamp = Math.floor(now() / 1000);
      const event: WebhookEvent = { type: WEBHOOK_EVENT_TYPE, timestamp, approval, links };
      const body = JSON.stringify(event);
      const response = await postJson(options.url, body, {
        timeoutMs: options.timeoutMs ?? 10_000,
        headers: { [SIGNATURE_HEADER]: signWebhookBody(options.secret, body), [TIMESTAMP_HEADER]: String(timestamp) },
      });
      await response.body?.cancel();
    },
  };
}
