import { describe, expect, it } from "vitest";
import { isAegisError } from "../errors/registry.ts";
import { handleSlackInteraction, parseSlackInteraction, slackSignature, verifySlackSignature } from "./slack-interactions.ts";

// Slack's published example from "Verifying requests from Slack" (a slash-command body).
const SLACK_EXAMPLE = {
  signingSecret: "8f742231b10e8888abcd99yyyzzz85a5",
  timestamp: "1531420618",
  rawBody:
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
  signature: "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
};
const EXAMPLE_NOW = 1531420618 + 30;

describe("Slack request signature", () => {
  it("reproduces the signature of Slack's published example", () => {
    expect(slackSignature(SLACK_EXAMPLE.signingSecret, SLACK_EXAMPLE.timestamp, SLACK_EXAMPLE.rawBody)).toBe(SLACK_EXAMPLE.signature);
  });

  it("accepts Slack's published example inside the 5-minute window", () => {
    expect(verifySlackSignature({ ...SLACK_EXAMPLE, nowSeconds: EXAMPLE_NOW })).toEqual({ ok: true });
  });

  const rejections: [string, Partial<typeof SLACK_EXAMPLE> & { nowSeconds?: number }, RegExp][] = [
    ["an edited body", { rawBody: SLACK_EXAMPLE.rawBody.replace("foobar", "foobaz") }, /does not match/],
    ["a wrong secret", { signingSecret: "not-the-secret" }, /does not match/],
    ["a signature of another length", { signature: "v0=abc" }, /does not match/],
    ["a replay older than 5 minutes", { nowSeconds: 1531420618 + 301 }, /5-minute window/],
    ["a timestamp more than 5 minutes ahead", { nowSeconds: 1531420618 - 301 }, /5-minute window/],
    ["a non-numeric timestamp", { timestamp: "soon" }, /malformed X-Slack-Request-Timestamp/],
  ];
  it.each(rejections)("rejects %s", (_name, change, reason) => {
    const check = verifySlackSignature({ nowSeconds: EXAMPLE_NOW, ...SLACK_EXAMPLE, ...change });
    expect(check.ok).toBe(false);
    expect(check.ok ? "" : check.reason).toMatch(reason);
  });

  it("rejects a request without a signature header", () => {
    const check = verifySlackSignature({ ...SLACK_EXAMPLE, signature: undefined, nowSeconds: EXAMPLE_NOW });
    expect(check).toEqual({ ok: false, reason: "missing X-Slack-Signature" });
  });
});

function interactionBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

const blockActions = (actionId: string, value: string) => ({
  type: "block_actions",
  user: { id: "U2CERLKJA", username: "roadrunner", team_id: "T1DC2JH3J" },
  response_url: "https://hooks.example.test/actions/1",
  actions: [{ type: "button", action_id: actionId, block_id: `aegis_approval:${value}`, value }],
});

describe("Slack interaction payload", () => {
  it.each([
    ["aegis_approve", "approve"],
    ["aegis_deny", "deny"],
  ] as const)("reads %s as %s with the approval id and the user", (actionId, decision) => {
    expect(parseSlackInteraction(interactionBody(blockActions(actionId, "apr_123")))).toEqual({
      approvalId: "apr_123",
      decision,
      user: { id: "U2CERLKJA", name: "roadrunner", teamId: "T1DC2JH3J" },
      responseUrl: "https://hooks.example.test/actions/1",
    });
  });

  const malformed: [string, string, RegExp][] = [
    ["no payload field", "token=x", /no payload/],
    ["a payload that is not JSON", "payload=%7Bnot-json", /not JSON/],
    ["a view_submission", interactionBody({ type: "view_submission", user: { id: "U1" } }), /block_actions/],
    ["an action that is not Aegis's", interactionBody(blockActions("something_else", "apr_1")), /no Aegis approve or deny/],
    ["an empty approval id", interactionBody(blockActions("aegis_approve", "")), /no approval id/],
    ["no user", interactionBody({ ...blockActions("aegis_deny", "apr_1"), user: undefined }), /no user/],
  ];
  it.each(malformed)("rejects %s with AEGIS_ERR_SLACK_REQUEST (400)", (_name, body, message) => {
    let caught: unknown;
    try {
      parseSlackInteraction(body);
    } catch (err) {
      caught = err;
    }
    expect(isAegisError(caught, "AEGIS_ERR_SLACK_REQUEST")).toBe(true);
    expect((caught as Error).message).toMatch(message);
    expect(isAegisError(caught) ? caught.details : undefined).toEqual({ status: 400 });
  });
});

describe("handleSlackInteraction", () => {
  const secret = "test-signing-secret";
  const body = interactionBody(blockActions("aegis_approve", "apr_9"));
  const now = 1_700_000_000;
  const signed = { "x-slack-request-timestamp": String(now), "x-slack-signature": slackSignature(secret, String(now), body) };

  it("returns the decision of a correctly signed request, whatever the header case", () => {
    const headers = { "X-Slack-Request-Timestamp": signed["x-slack-request-timestamp"], "X-Slack-Signature": signed["x-slack-signature"] };
    expect(handleSlackInteraction({ signingSecret: secret, headers, rawBody: body, nowSeconds: now }).decision).toBe("approve");
  });

  it("refuses a forged request before parsing it (401)", () => {
    const forged = interactionBody(blockActions("aegis_approve", "apr_other"));
    let caught: unknown;
    try {
      handleSlackInteraction({ signingSecret: secret, headers: signed, rawBody: forged, nowSeconds: now });
    } catch (err) {
      caught = err;
    }
    expect(isAegisError(caught, "AEGIS_ERR_SLACK_REQUEST") ? caught.details : undefined).toEqual({ status: 401 });
  });
});
