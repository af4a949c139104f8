// Slack's side of an approval click: prove the request came from Slack (v0 signing secret
// scheme), then read which approval was approved or denied, and by whom.
import { createHmac, timingSafeEqual } from "node:crypto";
import { AegisError } from "../errors/registry.ts";
import { SLACK_APPROVE_ACTION_ID, SLACK_DENY_ACTION_ID } from "./notifiers/slack-message.ts";

/** Slack's own replay window. */
export const SLACK_MAX_AGE_SECONDS = 300;

export interface SlackSignatureInput {
  readonly signingSecret: string;
  /** X-Slack-Request-Timestamp */
  readonly timestamp: string | undefined;
  /** X-Slack-Signature */
  readonly signature: string | undefined;
  /** The body exactly as received, before any form parsing. */
  readonly rawBody: string | Buffer;
  readonly nowSeconds?: number;
}

export type SlackSignatureCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface SlackApprovalAction {
  readonly approvalId: string;
  readonly decision: "approve" | "deny";
  readonly user: { readonly id: string; readonly name?: string; readonly teamId?: string };
  /** Where Slack accepts a follow-up message (to replace the buttons with the outcome). */
  readonly responseUrl?: string;
}

export function slackSignature(signingSecret: string, timestamp: string, rawBody: string | Buffer): string {
  const mac = createHmac("sha256", signingSecret);
  mac.update(`v0:${timestamp}:`);
  mac.update(rawBody);
  return `v0=${mac.digest("hex")}`;
}

export function verifySlackSignature(input: SlackSignatureInput): SlackSignatureCheck {
  const { timestamp, signature } = input;
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "missing or malformed X-Slack-Request-Timestamp" };
  if (signature === undefined) return { ok: false, reason: "missing X-Slack-Signature" };
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  // Future timestamps are as suspicious as old ones: both fall outside the window Slack signs for.
  if (Math.abs(now - Number(timestamp)) > SLACK_MAX_AGE_SECONDS) return { ok: false, reason: "request timestamp is outside the 5-minute window" };
  const expected = Buffer.from(slackSignature(input.signingSecret, timestamp, input.rawBody));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "signature does not match" };
  return { ok: true };
}

// details.status tells the HTTP route what to answer: 401 for an unproven sender, 400 for a bad body.
function reject(message: string): AegisError {
  return new AegisError("AEGIS_ERR_SLACK_REQUEST", message, { details: { status: 400 } });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const DECISIONS: Record<string, SlackApprovalAction["decision"]> = {
  [SLACK_APPROVE_ACTION_ID]: "approve",
  [SLACK_DENY_ACTION_ID]: "deny",
};

/** Parses an interactivity request body (`payload=<json>`, type block_actions) into the approval decision. */
export function parseSlackInteraction(rawBody: string): SlackApprovalAction {
  const payloadText = new URLSearchParams(rawBody).get("payload");
  if (payloadText === null) throw reject("the request has no payload form field");
  let payload: unknown;
  try {
    payload = JSON.parse(payloadText);
  } catch {
    throw reject("the payload form field is not JSON");
  }
  if (!isRecord(payload) || payload.type !== "block_actions") throw reject("the payload is not a block_actions interaction");
  const actions = Array.isArray(payload.actions) ? payload.actions : [];
  const action = actions.find((a): a is Record<string, unknown> => isRecord(a) && typeof a.action_id === "string" && Object.hasOwn(DECISIONS, a.action_id));
  if (action === undefined) throw reject("the interaction carries no Aegis approve or deny action");
  const decision = DECISIONS[action.action_id as string];
  if (decision === undefined || typeof action.value !== "string" || action.value === "") throw reject("the action carries no approval id");
  const user = payload.user;
  if (!isRecord(user) || typeof user.id !== "string") throw reject("the interaction names no user");
  const name = typeof user.username === "string" ? user.username : typeof user.name === "string" ? user.name : undefined;
  const teamId = typeof user.team_id === "string" ? user.team_id : undefined;
  return {
    approvalId: action.value,
    decision,
    user: { id: user.id, ...(name === undefined ? {} : { name }), ...(teamId === undefined ? {} : { teamId }) },
    ...(typeof payload.response_url === "string" ? { responseUrl: payload.response_url } : {}),
  };
}

function header(headers: Readonly<Record<string, string | readonly string[] | undefined>>, name: string): string | undefined {
  const value = headers[name] ?? Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : (value as string | undefined);
}

/** Verify, then parse: the one call an HTTP route needs. Throws AEGIS_ERR_SLACK_REQUEST with details.status 401 or 400. */
export function handleSlackInteraction(input: {
  readonly signingSecret: string;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly rawBody: string;
  readonly nowSeconds?: number;
}): SlackApprovalAction {
  const check = verifySlackSignature({
    signingSecret: input.signingSecret,
    timestamp: header(input.headers, "x-slack-request-timestamp"),
    signature: header(input.headers, "x-slack-signature"),
    rawBody: input.rawBody,
    ...(input.nowSeconds === undefined ? {} : { nowSeconds: input.nowSeconds }),
  });
  if (!check.ok) throw new AegisError("AEGIS_ERR_SLACK_REQUEST", check.reason, { details: { status: 401 } });
  return parseSlackInteraction(input.rawBody);
}
