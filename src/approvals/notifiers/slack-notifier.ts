// Delivers the Block Kit approval message through an incoming webhook or chat.postMessage.
import { postJson } from "./http-post.ts";
import { notifyError } from "./notify-error.ts";
import { buildSlackMessage } from "./slack-message.ts";
import type { Notifier } from "./types.ts";

export type SlackNotifierOptions =
  | { readonly webhookUrl: string; readonly timeoutMs?: number }
  | { readonly botToken: string; readonly channel: string; readonly apiUrl?: string; readonly timeoutMs?: number };

const DEFAULT_API_URL = "https://slack.com/api/chat.postMessage";
const DEFAULT_TIMEOUT_MS = 10_000;

// chat.postMessage answers HTTP 200 with ok:false; these error strings are Slack-side trouble
// worth retrying, every other one (invalid_auth, channel_not_found, ...) is a configuration error.
const RETRYABLE_API_ERRORS = new Set(["internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"]);

export function createSlackNotifier(options: SlackNotifierOptions): Notifier {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if ("webhookUrl" in options) {
    return {
      channel: "slack",
      async send(approval, links) {
        const response = await postJson(options.webhookUrl, JSON.stringify(buildSlackMessage(approval, links)), { timeoutMs });
        await response.body?.cancel();
      },
    };
  }
  return {
    channel: "slack",
    async send(approval, links) {
      const body = JSON.stringify({ channel: options.channel, ...buildSlackMessage(approval, links) });
      const response = await postJson(options.apiUrl ?? DEFAULT_API_URL, body, {
        timeoutMs,
        headers: { authorization: `Bearer ${options.botToken}` },
      });
      const answer = (await response.json().catch(() => null)) as { ok?: unknown; error?: unknown } | null;
      if (answer?.ok !== true) {
        const error = typeof answer?.error === "string" ? answer.error : "unreadable response";
        throw notifyError(`chat.postMessage failed: ${error}`, { retryable: RETRYABLE_API_ERRORS.has(error) });
      }
    },
  };
}
