// A human approves in Slack, end to end on a real `aegis serve`: the approval_needed call is
// announced to a Slack incoming webhook (a local receiver) with Approve/Deny buttons; the button
// click comes back to /v1/slack/interactions signed with Slack's v0 scheme; the requesting agent
// then reads its override token with its own identity and its retried call goes through once.
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { SLACK_APPROVE_ACTION_ID } from "../../src/approvals/notifiers/slack-message.ts";
import { HEADER } from "../../src/input/header-names.ts";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { connectCheckClient, type CheckClient } from "../support/grpc-check-client.ts";
import { buildBundle, eventually, identity, payment, SELF_READ_BY_HEADERS, serve, workDir, writeConfig } from "./runtime-harness.ts";

const SIGNING_SECRET = "slack-signing-secret-for-tests";

let slack: Server;
const slackMessages: Record<string, unknown>[] = [];
let server: RunningAegisProcess;
let client: CheckClient;

beforeAll(async () => {
  slack = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      slackMessages.push(JSON.parse(body) as Record<string, unknown>);
      res.end("ok");
    });
  });
  await new Promise<void>((r) => slack.listen(0, "127.0.0.1", r));
  const address = slack.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const work = workDir("slack");
  const config = writeConfig(work, "aegis", { approvals: { slack: { webhook_url: `http://127.0.0.1:${port}/services/T000/B000/XXX`, signing_secret: SIGNING_SECRET } } });
  server = await serve({ bundle: buildBundle(work), state: `sqlite:${join(work, "state.db")}`, config, env: SELF_READ_BY_HEADERS });
  client = connectCheckClient(server.grpcPort);
});

afterAll(async () => {
  client?.close();
  await server?.stop();
  await new Promise<void>((r) => slack.close(() => r()));
});

function signedInteraction(body: string, secret = SIGNING_SECRET): RequestInit {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
  return { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": timestamp, "x-slack-signature": signature }, body };
}

describe("approval in Slack", () => {
  it("announces the approval, takes the signed button click, and the agent's retry goes through once", async () => {
    const first = await client.check(payment(9000));
    expect(first.body).toMatchObject({ error: "approval_pending" });
    const approvalId = first.body.approval_id as string;

    const message = await eventually(() => slackMessages.find((m) => JSON.stringify(m).includes(approvalId)), (m) => m !== undefined, "the Slack message");
    expect(JSON.stringify(message)).toContain(SLACK_APPROVE_ACTION_ID);

    const click = `payload=${encodeURIComponent(JSON.stringify({ type: "block_actions", user: { id: "U123", username: "alice" }, actions: [{ action_id: SLACK_APPROVE_ACTION_ID, value: approvalId }] }))}`;
    const forged = await fetch(`${server.adminUrl}/v1/slack/interactions`, signedInteraction(click, "not-the-secret"));
    expect(forged.status).toBe(401);
    const accepted = await fetch(`${server.adminUrl}/v1/slack/interactions`, signedInteraction(click));
    expect(accepted.status).toBe(200);

    const own = (await (await fetch(`${server.adminUrl}/v1/approvals/${approvalId}`, { headers: identity("finance-agent") })).json()) as { status: string; approver: string; override_token: string };
    expect(own).toMatchObject({ status: "approved", approver: "slack:alice" });
    expect((await client.check(payment(9000, { [HEADER.overrideToken]: own.override_token }))).kind).toBe("ok");
    expect((await client.check(payment(9000, { [HEADER.overrideToken]: own.override_token }))).kind).toBe("denied");
  });
});
