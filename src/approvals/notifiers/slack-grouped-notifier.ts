// Aggregated Slack notices: similar pending calls (same tenant, agent, tool and action within a
// window) share one message with a count, updated in place (chat.update) rather than posted
// again, so a burst of approvals is one message, not a flood. Identical calls already share
// one approval; this groups the similar ones. Needs the bot-token mode: incoming webhooks cannot
// edit a message they posted. Each approval keeps its own buttons' target: the message shows
// the newest one, and links to the console for the rest (approve as standing, or a batch).
import { postJson } from "./http-post.ts";
import { notifyError } from "./notify-error.ts";
import { buildSlackMessage, escapeMrkdwn } from "./slack-message.ts";
import type { ApprovalLinks, ApprovalNotice, Notifier } from "./types.ts";

export interface GroupedSlackOptions {
  readonly botToken: string;
  readonly channel: string;
  /** How long a message keeps gathering similar calls after it was first posted. */
  readonly windowMs: number;
  /** Base of the Slack Web API; default https://slack.com/api. */
  readonly apiBase?: string;
  /** Where the console is, for the "all of them" link. */
  readonly consoleUrl?: string;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

const RETRYABLE_API_ERRORS = new Set(["internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"]);
const MAX_GROUPS = 1000;

interface Group {
  readonly startedAt: number;
  readonly channel: string;
  readonly ts: string;
  count: number;
}

/** The grouped message: the newest call in full (buttons included), and how many similar ones wait. */
export function groupedSlackMessage(approval: ApprovalNotice, links: ApprovalLinks, count: number, consoleUrl: string | undefined): ReturnType<typeof buildSlackMessage> {
  const message = buildSlackMessage(approval, links);
  if (count <= 1) return message;
  const note = `*${count} similar pending calls* from ${escapeMrkdwn(approval.agent)} to ${escapeMrkdwn(approval.tool)} / ${escapeMrkdwn(approval.action)} in this window; the newest is below.` +
    (consoleUrl === undefined ? "" : ` Resolve them all, or approve a pattern, in the <${escapeMrkdwn(consoleUrl)}|console>.`);
  return { text: `${count} similar pending calls: ${message.text}`, blocks: [{ type: "section", text: { type: "mrkdwn", text: note } }, ...message.blocks] };
}

export function createGroupedSlackNotifier(options: GroupedSlackOptions): Notifier & { groupCount(): number } {
  const now = options.now ?? Date.now;
  const api = (options.apiBase ?? "https://slack.com/api").replace(/\/$/, "");
  const groups = new Map<string, Group>();
  // One delivery per group key at a time: a burst must not post two messages for one group.
  const chains = new Map<string, Promise<unknown>>();

  async function call(method: "chat.postMessage" | "chat.update", body: Record<string, unknown>): Promise<{ ts?: string; channel?: string }> {
    const response = await postJson(`${api}/${method}`, JSON.stringify(body), { timeoutMs: options.timeoutMs ?? 10_000, headers: { authorization: `Bearer ${options.botToken}` } });
    const answer = (await response.json().catch(() => null)) as { ok?: unknown; error?: unknown; ts?: unknown; channel?: unknown } | null;
    if (answer?.ok !== true) {
      const error = typeof answer?.error === "string" ? answer.error : "unreadable response";
      throw notifyError(`${method} failed: ${error}`, { retryable: RETRYABLE_API_ERRORS.has(error) });
    }
    return { ...(typeof answer.ts === "string" ? { ts: answer.ts } : {}), ...(typeof answer.channel === "string" ? { channel: answer.channel } : {}) };
  }

  async function deliver(key: string, approval: ApprovalNotice, links: ApprovalLinks): Promise<void> {
    const t = now();
    const live = groups.get(key);
    if (live !== undefined && t - live.startedAt < options.windowMs) {
      const count = live.count + 1;
      await call("chat.update", { channel: live.channel, ts: live.ts, ...groupedSlackMessage(approval, links, count, options.consoleUrl) });
      live.count = count;
      return;
    }
    const posted = await call("chat.postMessage", { channel: options.channel, ...groupedSlackMessage(approval, links, 1, options.consoleUrl) });
    if (posted.ts === undefined) return;
    groups.delete(key);
    while (groups.size >= MAX_GROUPS) groups.delete(groups.keys().next().value as string);
    groups.set(key, { startedAt: t, channel: posted.channel ?? options.channel, ts: posted.ts, count: 1 });
  }

  return {
    channel: "slack",
    groupCount: () => groups.size,
    send(approval, links) {
      const key = JSON.stringify([approval.tenant, approval.agent, approval.tool, approval.action]);
      const previous = chains.get(key) ?? Promise.resolve();
      const next = previous.catch(() => undefined).then(() => deliver(key, approval, links));
      chains.set(key, next);
      void next.finally(() => {
        if (chains.get(key) === next) chains.delete(key);
      }).catch(() => undefined);
      return next;
    },
  };
}
