import { afterEach, describe, expect, it } from "vitest";
import { isAegisError } from "../../errors/registry.ts";
import { deliveryFailureOf } from "./notify-error.ts";
import { createSlackNotifier } from "./slack-notifier.ts";
import { createTeamsNotifier } from "./teams-notifier.ts";
import { APPROVAL, LINKS } from "../../../test/support/notifiers/fixtures.ts";
import { type LocalReceiver, type ScriptedAnswer, startReceiver } from "../../../test/support/notifiers/local-receiver.ts";
import { createWebhookNotifier } from "./webhook-notifier.ts";
import { verifyWebhookSignature } from "./webhook-signature.ts";

const receivers: LocalReceiver[] = [];
async function receiver(answers?: ScriptedAnswer[]): Promise<LocalReceiver> {
  const r = await startReceiver(answers);
  receivers.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

// Parsed JSON under test: loosely typed so assertions can walk it.
type Json = Record<string, any>;

function onlyBody(r: LocalReceiver): Json {
  expect(r.requests).toHaveLength(1);
  return JSON.parse(r.requests[0]!.body) as Json;
}

async function failureOf(promise: Promise<unknown>) {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(isAegisError(err, "AEGIS_ERR_NOTIFY")).toBe(true);
  return { err: err as Error, failure: deliveryFailureOf(err) };
}

describe("Slack notifier (incoming webhook)", () => {
  it("posts a Block Kit message: header, fields, Approve/Deny buttons carrying the approval id, details link", async () => {
    const r = await receiver();
    await createSlackNotifier({ webhookUrl: r.url }).send(APPROVAL, LINKS);
    const body = onlyBody(r);
    expect(r.requests[0]!.headers["content-type"]).toMatch(/^application\/json/);
    expect(body.text).toContain("finance-agent");
    const blocks = body.blocks as Json[];
    expect(blocks.map((b) => b.type)).toEqual(["header", "section", "section", "actions", "context"]);
    expect(blocks[0]!.text).toMatchObject({ type: "plain_text", text: "Approval needed: stripe-payments / create_payment" });
    const fields = (blocks[1]!.fields as Json[]).map((f) => f.text as string);
    expect(fields).toContain("*Tenant*\nacme");
    expect(fields).toContain("*Queue position*\n3");
    expect(fields.length).toBeLessThanOrEqual(10);
    expect(blocks[2]!.text.text).toContain('"card_number": "[REDACTED]"');
    const [approve, deny] = blocks[3]!.elements as Json[];
    expect(approve).toMatchObject({ type: "button", action_id: "aegis_approve", style: "primary", value: APPROVAL.id });
    expect(approve!.text).toMatchObject({ type: "plain_text", text: "Approve" });
    expect(deny).toMatchObject({ type: "button", action_id: "aegis_deny", style: "danger", value: APPROVAL.id });
    expect(blocks[3]!.block_id).toBe(`aegis_approval:${APPROVAL.id}`);
    expect(blocks[4]!.elements[0].text).toContain(`<${LINKS.detailsUrl}|details>`);
  });

  it("escapes Slack control characters in approval fields", async () => {
    const r = await receiver();
    await createSlackNotifier({ webhookUrl: r.url }).send({ ...APPROVAL, agent: "<!channel> & co" }, LINKS);
    const fields = (onlyBody(r).blocks[1].fields as Json[]).map((f) => f.text as string);
    expect(fields).toContain("*Agent*\n&lt;!channel&gt; &amp; co");
  });
});

describe("an approval record from the state store", () => {
  it("renders without a queue position or parameters", async () => {
    const r = await receiver();
    await createSlackNotifier({ webhookUrl: r.url }).send({ ...APPROVAL, queue_position: null, params_preview: null }, LINKS);
    const blocks = onlyBody(r).blocks as Json[];
    expect((blocks[1]!.fields as Json[]).map((f) => f.text)).toContain("*Queue position*\n—");
    expect(blocks[2]!.text.text).toContain("```{}```");
  });
});

describe("Slack notifier (chat.postMessage)", () => {
  it("sends the bot token and the channel with the blocks", async () => {
    const r = await receiver([{ status: 200, headers: { "content-type": "application/json" }, body: '{"ok":true,"ts":"1.2"}' }]);
    await createSlackNotifier({ botToken: "xoxb-test", channel: "C0APPROVALS", apiUrl: r.url }).send(APPROVAL, LINKS);
    expect(r.requests[0]!.headers.authorization).toBe("Bearer xoxb-test");
    const body = onlyBody(r);
    expect(body.channel).toBe("C0APPROVALS");
    expect((body.blocks as Json[]).find((b) => b.type === "actions")).toBeDefined();
  });

  it.each([
    ["channel_not_found", false],
    ["invalid_auth", false],
    ["ratelimited", true],
    ["internal_error", true],
  ])("treats ok:false with error %s as retryable=%s", async (error, retryable) => {
    const r = await receiver([{ status: 200, body: JSON.stringify({ ok: false, error }) }]);
    const { err, failure } = await failureOf(createSlackNotifier({ botToken: "t", channel: "C", apiUrl: r.url }).send(APPROVAL, LINKS));
    expect(err.message).toContain(error);
    expect(failure.retryable).toBe(retryable);
  });
});

describe("Teams notifier", () => {
  it("posts an Adaptive Card 1.4 attachment in a message with Approve/Deny OpenUrl actions", async () => {
    const r = await receiver([{ status: 202 }]);
    await createTeamsNotifier({ webhookUrl: r.url }).send(APPROVAL, LINKS);
    const body = onlyBody(r);
    expect(body.type).toBe("message");
    expect(body.attachments).toHaveLength(1);
    const attachment = body.attachments[0] as Json;
    expect(attachment.contentType).toBe("application/vnd.microsoft.card.adaptive");
    const card = attachment.content as Json;
    expect(card.type).toBe("AdaptiveCard");
    expect(Number(card.version)).toBeGreaterThanOrEqual(1.4);
    expect(card.actions).toEqual([
      { type: "Action.OpenUrl", title: "Approve", url: LINKS.approveUrl, style: "positive" },
      { type: "Action.OpenUrl", title: "Deny", url: LINKS.denyUrl, style: "destructive" },
      { type: "Action.OpenUrl", title: "Details", url: LINKS.detailsUrl },
    ]);
    const facts = (card.body as Json[]).find((b) => b.type === "FactSet")!.facts as Json[];
    expect(facts).toContainEqual({ title: "Approval id", value: APPROVAL.id });
    expect(facts).toContainEqual({ title: "Agent", value: "finance-agent" });
  });
});

describe("generic webhook notifier", () => {
  const secret = "whsec-test";

  it("signs the raw body with HMAC-SHA256 and repeats the timestamp header inside the signed body", async () => {
    const r = await receiver();
    await createWebhookNotifier({ url: r.url, secret, now: () => 1_700_000_000_500 }).send(APPROVAL, LINKS);
    const request = r.requests[0]!;
    const signature = request.headers["x-aegis-signature"] as string;
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(secret, request.body, signature)).toBe(true);
    expect(verifyWebhookSignature("another-secret", request.body, signature)).toBe(false);
    expect(verifyWebhookSignature(secret, request.body.replace("6000", "60000"), signature)).toBe(false);
    expect(request.headers["x-aegis-timestamp"]).toBe("1700000000");
    expect(onlyBody(r)).toEqual({ type: "aegis.approval.requested", timestamp: 1_700_000_000, approval: APPROVAL, links: LINKS });
  });
});

describe("delivery failure classification", () => {
  const notify = (url: string) => createWebhookNotifier({ url, secret: "s" }).send(APPROVAL, LINKS);

  it.each([
    [503, true],
    [500, true],
    [429, true],
    [400, false],
    [404, false],
  ])("HTTP %i is retryable=%s", async (status, retryable) => {
    const r = await receiver([{ status }]);
    const { failure } = await failureOf(notify(r.url));
    expect(failure).toMatchObject({ status, retryable });
  });

  it("reads Retry-After seconds from a 429", async () => {
    const r = await receiver([{ status: 429, headers: { "retry-after": "7" } }]);
    expect((await failureOf(notify(r.url))).failure.retryAfterMs).toBe(7000);
  });

  it("treats a refused connection as retryable without putting the URL in the message", async () => {
    const r = await receiver();
    const url = `${r.url}/T000/B000/secret-path-token`;
    await r.close();
    const { err, failure } = await failureOf(notify(url));
    expect(failure.retryable).toBe(true);
    expect(err.message).not.toContain("secret-path-token");
  });
});
