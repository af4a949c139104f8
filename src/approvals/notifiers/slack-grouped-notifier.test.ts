import { afterEach, describe, expect, it } from "vitest";
import { createGroupedSlackNotifier } from "./slack-grouped-notifier.ts";
import { startReceiver, type LocalReceiver } from "../../../test/support/notifiers/local-receiver.ts";
import type { ApprovalNotice } from "./types.ts";

const links = { approveUrl: "http://a/approve", denyUrl: "http://a/deny", detailsUrl: "http://a/d" };
const notice = (id: string, overrides: Partial<ApprovalNotice> = {}): ApprovalNotice => ({
  id, tenant: "acme", agent: "finance-agent", tool: "stripe-payments", action: "create_payment", reason: "approval_needed", rule_id: "r",
  policy_version: "r1", created_at: "2030-01-01T00:00:00Z", expires_at: "2030-01-01T01:00:00Z", queue_position: 1, params_preview: { amount: 6000 }, ...overrides,
});

describe("grouped Slack notices", () => {
  let receiver: LocalReceiver | undefined;
  afterEach(() => receiver?.close());

  it("posts the first of a burst of similar calls once and updates that message with the count", async () => {
    receiver = await startReceiver([{ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ ok: true, ts: "1700.000100", channel: "C42" }) }]);
    let t = 0;
    const notifier = createGroupedSlackNotifier({ botToken: "xoxb-test", channel: "#approvals", windowMs: 60_000, apiBase: receiver.url.replace("/hook", ""), consoleUrl: "http://aegis/console/", now: () => t });
    // A burst, delivered concurrently as the notification queue does.
    await Promise.all(["a1", "a2", "a3", "a4"].map((id) => notifier.send(notice(id), links)));
    expect(receiver.requests.map((r) => r.url)).toEqual(["/chat.postMessage", "/chat.update", "/chat.update", "/chat.update"]);
    const last = JSON.parse(receiver.requests.at(-1)!.body) as { ts: string; channel: string; text: string; blocks: { text?: { text: string } }[] };
    expect(last).toMatchObject({ ts: "1700.000100", channel: "C42" });
    expect(last.text).toMatch(/^4 similar pending calls/);
    expect(last.blocks[0]?.text?.text).toContain("*4 similar pending calls* from finance-agent to stripe-payments / create_payment");
    expect(last.blocks[0]?.text?.text).toContain("<http://aegis/console/|console>");
    expect(receiver.requests[0]?.headers.authorization).toBe("Bearer xoxb-test");

    // Another action is another message; after the window a new message starts the next group.
    await notifier.send(notice("b1", { action: "refund" }), links);
    t = 61_000;
    await notifier.send(notice("a5"), links);
    expect(receiver.requests.map((r) => r.url).slice(4)).toEqual(["/chat.postMessage", "/chat.postMessage"]);
    expect(JSON.parse(receiver.requests.at(-1)!.body).text).not.toMatch(/similar/);
  });

  it("escapes what the calls carry, and reports Slack's refusal as a delivery failure", async () => {
    receiver = await startReceiver([
      { status: 200, body: JSON.stringify({ ok: true, ts: "1", channel: "C1" }) },
      { status: 200, body: JSON.stringify({ ok: false, error: "ratelimited" }) },
    ]);
    const notifier = createGroupedSlackNotifier({ botToken: "xoxb", channel: "#a", windowMs: 60_000, apiBase: receiver.url.replace("/hook", ""), now: () => 0 });
    await notifier.send(notice("x1", { agent: "<!channel> evil" }), links);
    await expect(notifier.send(notice("x2", { agent: "<!channel> evil" }), links)).rejects.toMatchObject({ code: "AEGIS_ERR_NOTIFY", details: { retryable: true } });
    const body = JSON.parse(receiver.requests[1]!.body) as { blocks: { text?: { text: string } }[] };
    expect(body.blocks[0]?.text?.text).toContain("&lt;!channel&gt; evil");
  });
});
