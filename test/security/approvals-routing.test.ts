// Per-agent approval routing on a real `aegis serve` with Slack, Teams and webhook notifiers all
// configured (local receivers): an agent with `approvals.channels: [api]` notifies none of them,
// one with `[webhook]` notifies the webhook only, and one without an `approvals` block gets the
// documented default (`[api]`) and notifies none.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver, type LocalReceiver } from "../support/notifiers/local-receiver.ts";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { connectCheckClient, type CheckClient } from "../support/grpc-check-client.ts";
import { ADMIN_TOKEN, buildBundle, eventually, payment, serve, workDir, writeConfig } from "../runtime/runtime-harness.ts";

let slack: LocalReceiver;
let teams: LocalReceiver;
let webhook: LocalReceiver;
let server: RunningAegisProcess;
let client: CheckClient;

/** The finance agent's policy under other agent names, each with its own approvals block. */
function bundle(work: string): string {
  return buildBundle(work, "bundle", (policies) => {
    const finance = readFileSync(join(policies, "finance-agent", "policy.yaml"), "utf8");
    const variant = (agent: string, approvals: string) => {
      const text = finance.replace("agent: finance-agent", `agent: ${agent}`).replace(/approvals:\n(  .*\n)+/, approvals);
      expect(text).toContain(`agent: ${agent}`);
      mkdirSync(join(policies, agent));
      writeFileSync(join(policies, agent, "policy.yaml"), text);
    };
    variant("api-only-agent", "approvals:\n  channels: [api]\n");
    variant("webhook-agent", "approvals:\n  channels: [webhook]\n");
    variant("default-agent", "");
  });
}

beforeAll(async () => {
  const work = workDir("approval-routing");
  [slack, teams, webhook] = await Promise.all([startReceiver(), startReceiver(), startReceiver()]);
  const config = writeConfig(work, "aegis", {
    approvals: { slack: { webhook_url: slack.url }, teams: { webhook_url: teams.url }, webhook: { url: webhook.url, secret: "webhook-signing-secret" } },
  });
  server = await serve({ bundle: bundle(work), state: `sqlite:${join(work, "state.db")}`, config });
  client = connectCheckClient(server.grpcPort);
}, 120_000);

afterAll(async () => {
  try {
    client?.close();
    await server?.stop();
  } finally {
    await Promise.all([slack?.close(), teams?.close(), webhook?.close()]);
  }
});

async function approvalFor(agent: string, amount: number): Promise<string> {
  const answer = await client.check(payment(amount, {}, agent));
  expect(answer.body).toMatchObject({ error: "approval_pending" });
  return answer.body.approval_id as string;
}

const heardOf = (receiver: LocalReceiver, approvalId: string) => receiver.requests.some((r) => r.body.includes(approvalId));

describe("approval routing follows the agent's approvals.channels", () => {
  it("notifies no notifier for [api] or the default, and only the webhook for [webhook]", async () => {
    const apiOnly = await approvalFor("api-only-agent", 7000);
    const byDefault = await approvalFor("default-agent", 7001);
    const webhookOnly = await approvalFor("webhook-agent", 7002);

    await eventually(() => heardOf(webhook, webhookOnly), Boolean, "the webhook-agent's notification");
    // The [api] and default approvals were enqueued before it; give any stray delivery time to land.
    await new Promise((r) => setTimeout(r, 1000));

    for (const receiver of [slack, teams, webhook]) {
      expect(heardOf(receiver, apiOnly), "the [api] agent's approval was announced").toBe(false);
      expect(heardOf(receiver, byDefault), "the default agent's approval was announced").toBe(false);
    }
    expect(heardOf(slack, webhookOnly)).toBe(false);
    expect(heardOf(teams, webhookOnly)).toBe(false);
  });

  it("still lists every approval in the API (the api channel)", async () => {
    const res = await fetch(`${server.adminUrl}/v1/approvals?status=pending`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const { approvals } = (await res.json()) as { approvals: { agent: string }[] };
    expect(approvals.map((a) => a.agent).sort()).toEqual(["api-only-agent", "default-agent", "webhook-agent"]);
  });
});
