// Delivers the Adaptive Card approval message to a Teams workflow (or connector) webhook.
import { postJson } from "./http-post.ts";
import { buildTeamsMessage } from "./teams-card.ts";
import type { Notifier } from "./types.ts";

export interface TeamsNotifierOptions {
  readonly webhookUrl: string;
  readonly timeoutMs?: number;
}

export function createTeamsNotifier(options: TeamsNotifierOptions): Notifier {
  return {
    channel: "teams",
    async send(approval, links) {
      const response = await postJson(options.webhookUrl, JSON.stringify(buildTeamsMessage(approval, links)), {
        timeoutMs: options.timeoutMs ?? 10_000,
      });
      await response.body?.cancel();
    },
  };
}
