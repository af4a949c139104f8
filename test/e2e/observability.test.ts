// Traces, metrics and the decision log of a real `aegis serve` behind a real Envoy, with spans
// received by a real OpenTelemetry Collector: the decision shows up inside the agent's own trace,
// and the span carries the hash of its decision-log record.
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAegisProcess, type RunningAegisProcess } from "../support/aegis-server.ts";
import { aegis } from "../support/cli.ts";
import { startEnvoy, type RunningEnvoy } from "../support/envoy.ts";
import { httpRequest } from "../support/http.ts";
import { startOtelcol, type Otelcol } from "../support/otelcol.ts";
import { startUpstream, type RunningUpstream } from "../support/upstream.ts";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN = "00f067aa0ba902b7";

let work: string;
let collector: Otelcol;
let upstream: RunningUpstream;
let server: RunningAegisProcess;
let envoy: RunningEnvoy;
let decisionLog: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "aegis-obs-"));
  const bundle = join(work, "bundle.tar.gz");
  expect(aegis(["build", "policies/examples", "-o", bundle]).code).toBe(0);
  const { privateKey } = generateKeyPairSync("ed25519");
  const keyFile = join(work, "audit.pem");
  writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }));
  decisionLog = join(work, "decisions.log");
  collector = await startOtelcol();
  upstream = await startUpstream();
  server = await startAegisProcess({
    args: ["--bundle", bundle, "--state", `sqlite:${join(work, "s.db")}`, "--trust-identity-headers", "--decision-log", decisionLog, "--audit-signing-key", keyFile, "--admin-token", "secret-admin-token"],
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_BSP_SCHEDULE_DELAY: "100", OTEL_SERVICE_NAME: "aegis-e2e" },
  });
  envoy = await startEnvoy({ aegisPort: server.grpcPort, upstreamPort: upstream.port });
});

afterAll(async () => {
  await envoy?.stop();
  await server?.stop();
  await upstream?.close();
  await collector?.stop();
});

function pay(amount: number, headers: Record<string, string> = {}) {
  return httpRequest({
    port: envoy.port, host: "api.stripe.com", method: "POST", path: "/v1/payment_intents",
    headers: { "x-aegis-tenant": "acme", "x-aegis-agent": "finance-agent", "content-type": "application/json", ...headers },
    body: JSON.stringify({ amount }),
  });
}

describe("observability of a real check", () => {
  it("puts the aegis.check span inside the agent's trace, with the deny fields and the decision-log record hash", async () => {
    const res = await pay(60_000, { traceparent: `00-${TRACE_ID}-${PARENT_SPAN}-01` });
    expect(res.status).toBe(403);
    const decisionId = (JSON.parse(res.body) as { decision_id: string }).decision_id;
    const [span] = await collector.waitForSpans(1, { match: (s) => s.name === "aegis.check" && s.traceId === TRACE_ID, timeoutMs: 15_000 });
    expect(span?.parentSpanId).toBe(PARENT_SPAN);
    expect(span?.attributes).toMatchObject({
      "aegis.tenant": "acme", "aegis.agent_id": "finance-agent", "aegis.tool": "stripe-payments", "aegis.action": "create_payment",
      "aegis.decision": "deny", "aegis.reason": "blocked_over_hard_limit", "aegis.decision_id": decisionId,
      "aegis.rule_id": "acme/finance-agent/allowed_tools/stripe-payments/conditions/hard_limit",
    });
    expect(span?.resource["service.name"]).toBe("aegis-e2e");
    expect(JSON.stringify(span?.resource)).not.toContain("secret-admin-token");

    // The span names its audit record: same hash, same trace.
    const line = readFileSync(decisionLog, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.decision_id === decisionId);
    expect(line).toMatchObject({ decision: "deny", reason: "blocked_over_hard_limit", trace_id: TRACE_ID, tenant: "acme", agent_id: "finance-agent" });
    expect(span?.attributes["aegis.audit.record_hash"]).toBe(line?.hash);
    expect(span?.attributes["aegis.hashed_audit_id"]).toBe(line?.hashed_audit_id);
  });

  it("exposes decisions, latency histograms and the bundle revision on /metrics with low-cardinality labels", async () => {
    expect((await pay(100)).status).toBe(200);
    const text = await (await fetch(`${server.adminUrl}/metrics`)).text();
    expect(text).toMatch(/aegis_decisions_total\{outcome="deny",reason="blocked_over_hard_limit"\} 1/);
    expect(text).toMatch(/aegis_decisions_total\{outcome="allow",reason="within_limit"\} 1/);
    expect(text).toMatch(/aegis_check_duration_seconds_bucket\{le="0\.0005",outcome="allow"\}/);
    expect(text).toMatch(/aegis_engine_eval_duration_seconds_count [1-9]/);
    expect(text).toMatch(/aegis_bundle_info\{revision="[0-9a-f]{16}"\} 1/);
    expect(text).toMatch(/process_resident_memory_bytes/);
    expect(text).toMatch(/aegis_budget_remaining\{tenant="acme",agent="finance-agent",budget="daily-spend"\} 19900/);
    expect(text).not.toMatch(/decision_id=|[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  it("counts pending approvals", async () => {
    expect((await pay(7000)).status).toBe(403);
    let text = "";
    for (let i = 0; i < 30 && !/aegis_approvals_pending 1/.test(text); i++) {
      await new Promise((r) => setTimeout(r, 100));
      text = await (await fetch(`${server.adminUrl}/metrics`)).text();
    }
    expect(text).toMatch(/aegis_approvals_pending 1/);
  });
});
