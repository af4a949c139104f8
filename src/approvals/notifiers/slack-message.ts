// Pure: a pending approval as a Slack Block Kit message. The buttons post back to the Slack
// app's interactivity endpoint (see ../slack-interactions.ts), which reads the decision from
// the action_id and the approval id from the button value.
import { previewText, truncate } from "./text-limits.ts";
import type { ApprovalLinks, ApprovalNotice } from "./types.ts";

export const SLACK_APPROVE_ACTION_ID = "aegis_approve";
export const SLACK_DENY_ACTION_ID = "aegis_deny";
export const SLACK_BLOCK_ID_PREFIX = "aegis_approval:";

// Block Kit limits: header text 150, section field 2000, section text 3000, block_id 255.
const HEADER_MAX = 150;
const FIELD_MAX = 2000;
const SECTION_MAX = 3000;

export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

/** Slack mrkdwn treats &, < and > as control characters; everything user-supplied goes through this. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function plain(text: string, max: number): Record<string, unknown> {
  return { type: "plain_text", text: truncate(text, max), emoji: false };
}

function field(label: string, value: string): Record<string, unknown> {
  return { type: "mrkdwn", text: truncate(`*${label}*\n${escapeMrkdwn(value)}`, FIELD_MAX) };
}

export function buildSlackMessage(approval: ApprovalNotice, links: ApprovalLinks): SlackMessage {
  const summary = `Approval needed: ${approval.agent} → ${approval.tool} / ${approval.action} (tenant ${approval.tenant})`;
  // A stray ``` in a parameter value would close the code block early and let the rest render as mrkdwn.
  const params = escapeMrkdwn(previewText(approval.params_preview, SECTION_MAX - 40)).replaceAll("```", "`\u200b``");
  return {
    text: truncate(summary, SECTION_MAX),
    blocks: [
      { type: "header", text: plain(`Approval needed: ${approval.tool} / ${approval.action}`, HEADER_MAX) },
      {
        type: "section",
        text: { type: "mrkdwn", text: truncate(escapeMrkdwn(summary), SECTION_MAX) },
        fields: [
          field("Tenant", approval.tenant),
          field("Agent", approval.agent),
          field("Tool", approval.tool),
          field("Action", approval.action),
          field("Reason", approval.reason),
          field("Rule", approval.rule_id),
          field("Policy version", approval.policy_version),
          field("Expires", approval.expires_at),
          field("Queue position", approval.queue_position === null ? "—" : String(approval.queue_position)),
        ],
      },
      { type: "section", text: { type: "mrkdwn", text: `*Parameters (masked)*\n\`\`\`${params}\`\`\`` } },
      {
        type: "actions",
        block_id: truncate(`${SLACK_BLOCK_ID_PREFIX}${approval.id}`, 255),
        elements: [
          {
            type: "button",
            action_id: SLACK_APPROVE_ACTION_ID,
            text: plain("Approve", 75),
            style: "primary",
            value: approval.id,
            confirm: {
              title: plain("Approve this call?", 100),
              text: { type: "mrkdwn", text: truncate(escapeMrkdwn(`${approval.agent} may call ${approval.tool} / ${approval.action} once.`), 300) },
              confirm: plain("Approve", 30),
              deny: plain("Cancel", 30),
            },
          },
          { type: "button", action_id: SLACK_DENY_ACTION_ID, text: plain("Deny", 75), style: "danger", value: approval.id },
        ],
      },
      {
        type: "context",
        elements: [{ type: "mrkdwn", text: `Approval \`${escapeMrkdwn(approval.id)}\` · <${escapeMrkdwn(links.detailsUrl)}|details>` }],
      },
    ],
  };
}
