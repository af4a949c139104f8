// Sanitized values and tokens, in every letter case, never reach what Aegis writes. A real
// `aegis serve` behind the real Envoy with the shipped sidecar config; the sanitized names are
// sent as `Token`, `TOKEN`, `SSN`, `Ssn`, under `__proto__` and `constructor` keys, and an
// override token rides in the query string. Then the whole decision log, the process output, the
// spans (a real OpenTelemetry Collector), the approvals API and the Slack, Teams and webhook
// notifications (local receivers) are searched, case-insensitively, for every raw value: none
// may be there. The token is also gone from what
// the upstream received.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver, type LocalReceiver } from "../support/notifiers/local-receiver.ts";
import { startAegisProcess, type RunningAegisProcess } from "../support/aegis-server.ts";
import { startEnvoy, type RunningEnvoy } from "../support/envoy.ts";
import { httpRequest } from "../support/http.ts";
import { startOtelcol, type Otelcol } from "../support/otelcol.ts";
import { startUpstream, type RunningUpstream } from "../support/upstream.ts";
import { ADMIN_TOKEN, buildBundle, eventually, identity, jsonLines, workDir, writeConfig } from "../runtime/runtime-harness.ts";

// One distinct value per attack, so a hit names the path that leaked it.
const SECRET = {
  queryTitle: "qtitle-9b1e77aa",
  queryUpper: "qupper-41c0d2ef",
  mcpUpper: "mcpupper-77e1a2b3",
  mcpTitle: "mcptitle-0c9d8e7f",
  mcpProto: "mcpproto-5a5a6b6b",
  mcpConstructor: "mcpctor-1f2e3d4c",
  bodyUpper: "bodyupper-3344aabb",
  approvalQuery: "apquery-8d7c6b5a",
  approvalCard: "4242-4242-4242-4242",
  approvalSsn: "apssn-219-09-9999",
  approvalProto: "approto-6e6e7f7f",
  overrideLower: `aegis_ot_${"a".repeat(40)}low`,
  overrideMixed: `aegis_ot_${"b".repeat(40)}MiX`,
  overrideApproval: `aegis_ot_${"c".repeat(40)}app`,
} as const;

let work: string;
let decisionLog: string;
let upstream: RunningUpstream;
let slack: LocalReceiver;
let teams: LocalReceiver;
let webhook: LocalReceiver;
let server: RunningAegisProcess;
let envoy: RunningEnvoy;
let collector: Otelcol;

/** The example policies; the finance agent's payments also sanitize `token`, `card_number` and `ssn`, and tell every channel. */
function bundle(): string {
  return buildBundle(work, "bundle", (policies) => {
    const file = join(policies, "finance-agent", "policy.yaml");
    const text = readFileSync(file, "utf8")
      .replace("      approval_threshold: 5000\n", "      approval_threshold: 5000\n    sanitize:\n      query: [token]\n      params: [card_number, ssn]\n")
      .replace("channels: [api, slack]", "channels: [api, slack, teams, webhook]");
    expect(text).toContain("card_number");
    expect(text).toContain("webhook]");
    writeFileSync(file, text);
  });
}

beforeAll(async () => {
  work = workDir("secrets");
  decisionLog = join(work, "decisions.log");
  [upstream, slack, teams, webhook, collector] = await Promise.all([startUpstream(), startReceiver(), startReceiver(), startReceiver(), startOtelcol()]);
  const config = writeConfig(work, "aegis", {
    approvals: { slack: { webhook_url: slack.url }, teams: { webhook_url: teams.url }, webhook: { url: webhook.url, secret: "webhook-signing-secret" } },
  });
  // As the runtime harness's serve(), plus tracing to the Collector.
  server = await startAegisProcess({
    args: [
      "--bundle", bundle(), "--state", `sqlite:${join(work, "state.db")}`, "--config", config, "--trust-identity-headers", "--admin-token", ADMIN_TOKEN,
      "--decision-log", decisionLog, "--log-level", "debug",
    ],
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_BSP_SCHEDULE_DELAY: "100", OTEL_SERVICE_NAME: "aegis-secrets" },
  });
  envoy = await startEnvoy({ aegisPort: server.grpcPort, upstreamPort: upstream.port });
}, 120_000);

afterAll(async () => {
  try {
    await envoy?.stop();
    await server?.stop();
  } finally {
    await Promise.all([upstream?.close(), slack?.close(), teams?.close(), webhook?.close(), collector?.stop()]);
  }
});

function docsCall(query: string, args: Record<string, unknown>) {
  return httpRequest({
    port: envoy.port, host: "mcp.docs.acme.internal", method: "POST", path: `/mcp${query}`,
    headers: { ...identity("docs-agent"), "content-type": "application/json" },
    // Raw JSON text, so `__proto__` arrives as a key exactly as an agent would send it.
    body: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"read_document","arguments":${rawJson(args)}}}`,
  });
}

function paymentCall(query: string, bodyJson: string) {
  return httpRequest({
    port: envoy.port, host: "api.stripe.com", method: "POST", path: `/v1/payment_intents${query}`,
    headers: { ...identity("finance-agent"), "content-type": "application/json" },
    body: bodyJson,
  });
}

/** JSON text of `args`, with every `proto__key` key written as `__proto__` (an object literal cannot own one). */
function rawJson(args: Record<string, unknown>): string {
  return JSON.stringify(args).replaceAll('"proto__key"', '"__proto__"');
}

async function decisionLine(decisionId: string): Promise<Record<string, unknown>> {
  const line = await eventually(
    () => jsonLines(readFileSync(decisionLog, "utf8")).find((l) => l.decision_id === decisionId),
    (l) => l !== undefined,
    `decision ${decisionId} in the decision log`,
  );
  return line as Record<string, unknown>;
}

function paramsOf(line: Record<string, unknown>): Record<string, unknown> {
  return (line.input as { params: Record<string, unknown> }).params;
}

function expectNowhere(haystacks: Record<string, string>, secrets: readonly string[]): void {
  for (const [where, text] of Object.entries(haystacks)) {
    const lower = text.toLowerCase();
    for (const secret of secrets) expect(lower.includes(secret.toLowerCase()), `${secret} in ${where}`).toBe(false);
  }
}

describe("sanitized names in other letter cases", () => {
  it.each([
    { what: "query ?Token=", query: `?Token=${SECRET.queryTitle}`, args: { id: "a" }, key: "Token" },
    { what: "query ?TOKEN=", query: `?TOKEN=${SECRET.queryUpper}`, args: { id: "a" }, key: "TOKEN" },
    { what: "MCP argument SSN", query: "", args: { id: "a", SSN: SECRET.mcpUpper }, key: "SSN" },
    { what: "MCP argument Ssn", query: "", args: { id: "a", Ssn: SECRET.mcpTitle }, key: "Ssn" },
  ])("masks $what in the decision log", async ({ query, args, key }) => {
    const res = await docsCall(query, args);
    expect(res.status, res.body).toBe(200);
    const decisionId = upstream.received.at(-1)?.headers["x-aegis-decision-id"] as string;
    const line = await decisionLine(decisionId);
    expect(line).toMatchObject({ decision: "sanitize" });
    expect(paramsOf(line)[key]).toBe("[REDACTED]");
  });

  it("masks a sanitized body parameter sent as SSN", async () => {
    const res = await paymentCall("", JSON.stringify({ amount: 100, currency: "eur", SSN: SECRET.bodyUpper }));
    expect(res.status, res.body).toBe(200);
    const line = await decisionLine(upstream.received.at(-1)?.headers["x-aegis-decision-id"] as string);
    expect(paramsOf(line)["SSN"]).toBe("[REDACTED]");
  });
});

describe("__proto__ and constructor keys are data", () => {
  it("keeps them in the decision log and masks the sanitized names under them", async () => {
    const res = await docsCall("", { id: "a", proto__key: { ssn: SECRET.mcpProto, page: 3 }, constructor: { Ssn: SECRET.mcpConstructor, page: 4 } });
    expect(res.status, res.body).toBe(200);
    const line = await decisionLine(upstream.received.at(-1)?.headers["x-aegis-decision-id"] as string);
    const params = paramsOf(line);
    expect(Object.hasOwn(params, "__proto__")).toBe(true);
    expect(params["__proto__"]).toEqual({ ssn: "[REDACTED]", page: 3 });
    expect(params["constructor"]).toEqual({ Ssn: "[REDACTED]", page: 4 });
  });
});

describe("an override token in the query string", () => {
  it.each([
    { name: "x-aegis-override-token", token: SECRET.overrideLower },
    { name: "X-Aegis-Override-Token", token: SECRET.overrideMixed },
  ])("is masked in the log and removed before the call goes upstream: ?$name=", async ({ name, token }) => {
    const res = await docsCall(`?lang=en&${name}=${token}`, { id: "a" });
    expect(res.status, res.body).toBe(200);
    const seen = upstream.received.at(-1);
    expect(seen?.url).toBe("/mcp?lang=en");
    expect(JSON.stringify(seen?.headers)).not.toContain(token);
    const line = await decisionLine(seen?.headers["x-aegis-decision-id"] as string);
    expect(paramsOf(line)[name]).toBe("[REDACTED]");
  });
});

describe("approval previews", () => {
  let approvalId: string;

  beforeAll(async () => {
    const body = `{"amount":7000,"currency":"eur","Card_Number":"${SECRET.approvalCard}","Ssn":"${SECRET.approvalSsn}","__proto__":{"CARD_NUMBER":"${SECRET.approvalProto}"}}`;
    const res = await paymentCall(`?Token=${SECRET.approvalQuery}&x-aegis-override-token=${SECRET.overrideApproval}`, body);
    expect(res.status, res.body).toBe(403);
    const answer = JSON.parse(res.body) as { error: string; approval_id: string };
    expect(answer.error).toBe("approval_pending");
    approvalId = answer.approval_id;
    await eventually(() => [slack, teams, webhook].every((r) => r.requests.some((q) => q.body.includes(approvalId))), Boolean, "all three notifications");
  });

  it("shows the masked parameters to approvers in the API and the webhook payload", async () => {
    const res = await fetch(`${server.adminUrl}/v1/approvals/${approvalId}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const record = (await res.json()) as { params_preview: Record<string, unknown> };
    expect(record.params_preview).toMatchObject({ amount: 7000, Card_Number: "[REDACTED]", Ssn: "[REDACTED]", Token: "[REDACTED]", "x-aegis-override-token": "[REDACTED]" });
    expect(JSON.parse(JSON.stringify(record.params_preview))["__proto__"]).toEqual({ CARD_NUMBER: "[REDACTED]" });
    const event = JSON.parse(webhook.requests.find((q) => q.body.includes(approvalId))?.body ?? "{}") as { approval: { params_preview: Record<string, unknown> } };
    expect(event.approval.params_preview).toMatchObject({ Card_Number: "[REDACTED]", Ssn: "[REDACTED]", Token: "[REDACTED]" });
  });

  it("never carries a raw value anywhere: decision log, stdout/stderr, spans, approvals API, Slack, Teams, webhook", async () => {
    const list = await (await fetch(`${server.adminUrl}/v1/approvals`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    const one = await (await fetch(`${server.adminUrl}/v1/approvals/${approvalId}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    // The decision of the approval call is in the log before we read it.
    await eventually(() => readFileSync(decisionLog, "utf8").includes(approvalId), Boolean, "the approval in the decision log");
    // Every check of this file has its span: five letter-case calls, one __proto__, two query tokens, one approval.
    await collector.waitForSpans(9, { match: (span) => span.name === "aegis.check", timeoutMs: 15_000 });
    expect(collector.spans().some((span) => span.attributes["aegis.approval_id"] === approvalId)).toBe(true);
    expectNowhere(
      {
        "the decision log": readFileSync(decisionLog, "utf8"),
        "the process output": server.logs(),
        "the spans": JSON.stringify(collector.spans()),
        "the approvals list": list,
        "the approval": one,
        "the Slack message": slack.requests.map((r) => r.body).join("\n"),
        "the Teams card": teams.requests.map((r) => r.body).join("\n"),
        "the webhook event": webhook.requests.map((r) => r.body).join("\n"),
      },
      Object.values(SECRET),
    );
  });
});
