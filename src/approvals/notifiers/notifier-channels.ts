// Per-agent approval routing: an agent's `approvals.channels` names where its approvals go.
// "api" is always true in effect (every record is in the approvals API) and has no notifier;
// the others name a notifier each, and only those are told.
import type { ApprovalChannel } from "../../policy/model.ts";
import type { NotifierChannel } from "./types.ts";

export function notifierChannels(channels: readonly ApprovalChannel[]): NotifierChannel[] {
  return channels.filter((c): c is NotifierChannel => c !== "api");
}
