// Pure: a pending approval as an Adaptive Card wrapped the way Teams workflow webhooks expect
// ({"type":"message","attachments":[...]}). Teams cards cannot call back without a bot, so the
// buttons open the approvals API's approve/deny pages.
import { previewText, truncate } from "./text-limits.ts";
import type { ApprovalLinks, ApprovalNotice } from "./types.ts";

export const ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";
export const ADAPTIVE_CARD_VERSION = "1.4";

export function buildTeamsMessage(approval: ApprovalNotice, links: ApprovalLinks): Record<string, unknown> {
  const facts: [string, string][] = [
    ["Tenant", approval.tenant],
    ["Agent", approval.agent],
    ["Tool", approval.tool],
    ["Action", approval.action],
    ["Reason", approval.reason],
    ["Rule", approval.rule_id],
    ["Policy version", approval.policy_version],
    ["Expires", approval.expires_at],
    ["Queue position", approval.queue_position === null ? "—" : String(approval.queue_position)],
    ["Approval id", approval.id],
  ];
  const card = {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: ADAPTIVE_CARD_VERSION,
    body: [
      { type: "TextBlock", size: "Large", weight: "Bolder", wrap: true, text: truncate(`Approval needed: ${approval.tool} / ${approval.action}`, 200) },
      { type: "FactSet", facts: facts.map(([title, value]) => ({ title, value: truncate(value, 500) })) },
      { type: "TextBlock", weight: "Bolder", text: "Parameters (masked)" },
      { type: "TextBlock", fontType: "Monospace", wrap: true, text: previewText(approval.params_preview, 2000) },
    ],
    actions: [
      { type: "Action.OpenUrl", title: "Approve", url: links.approveUrl, style: "positive" },
      { type: "Action.OpenUrl", title: "Deny", url: links.denyUrl, style: "destructive" },
      { type: "Action.OpenUrl", title: "Details", url: links.detailsUrl },
    ],
  };
  return { type: "message", attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content: card }] };
}
