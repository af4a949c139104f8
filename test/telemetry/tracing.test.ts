// The instrumentation entry in a real process, exporting over OTLP gRPC to a real OpenTelemetry
// Collector: the aegis.check span arrives as a child of the agent's trace with its deny
// attributes, whichever way the process ends; and tracing stays off unless configured.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckSpanOutcome } from "../../src/telemetry/tracing.ts";
import { REPO_ROOT } from "../support/opa.ts";
import { SPAN_KIND_SERVER, startOtelcol, type Otelcol, type ReceivedSpan } from "../support/otelcol.ts";

const FIXTURE = join("test", "telemetry", "fixtures", "emit-check-span.ts");

const DENY: CheckSpanOutcome = {
  tenant: "acme",
  agent_id: "finance-agent",
  tool: "stripe-payments",
  action: "create_payment",
  policy_version: "rev-42",
  decision: "deny",
  decision_id: "5d8f2a10-6c3b-4e7a-9b1d-0f2e4c6a8b10",
  rule_id: "acme/finance-agent/allowed_tools/stripe-payments/conditions/hard_limit",
  reason: "blocked_over_hard_limit",
  hashed_audit_id: "sha256:7c1e0d",
  latency_ms: 0.61,
  engine_ms: 0.05,
  record_hash: "sha256:e3b0c4",
};

const DENY_ATTRIBUTES = {
  "aegis.tenant": "acme",
  "aegis.agent_id": "finance-agent",
  "aegis.tool": "stripe-payments",
  "aegis.action": "create_payment",
  "aegis.policy_version": "rev-42",
  "aegis.decision": "deny",
  "aegis.decision_id": "5d8f2a10-6c3b-4e7a-9b1d-0f2e4c6a8b10",
  "aegis.rule_id": "acme/finance-agent/allowed_tools/stripe-payments/conditions/hard_limit",
  "aegis.reason": "blocked_over_hard_limit",
  "aegis.hashed_audit_id": "sha256:7c1e0d",
  "aegis.latency_ms": 0.61,
  "aegis.engine_ms": 0.05,
  "aegis.audit.record_hash": "sha256:e3b0c4",
};

let collector: Otelcol;
beforeAll(async () => {
  collector = await startOtelcol();
});
afterAll(async () => {
  await collector?.stop();
});

interface Agent {
  readonly traceId: string;
  readonly parentSpanId: string;
  readonly headers: Record<string, string>;
}

/** The agent's side of the call: a fresh sampled W3C trace context. */
function agentTrace(): Agent {
  const traceId = randomBytes(16).toString("hex");
  const parentSpanId = randomBytes(8).toString("hex");
  return { traceId, parentSpanId, headers: { traceparent: `00-${traceId}-${parentSpanId}-01`, tracestate: "agent=7" } };
}

type ExitMode = "natural" | "shutdown-then-exit" | "wait-for-sigterm" | "app-handles-sigterm";

interface Emitted {
  readonly child: ChildProcess;
  /** The fixture's report, once it has ended the span. */
  readonly report: Promise<{ recording: boolean; traceId: string | null }>;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** node --import ./src/telemetry/instrumentation.ts emit-check-span.ts, with only the OTEL_* env given here. */
function emitCheckSpan(agent: Agent, otelEnv: Record<string, string>, exit: ExitMode = "natural"): Emitted {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("OTEL_") && value !== undefined) env[key] = value;
  Object.assign(env, otelEnv, { AEGIS_TEST_SPAN: JSON.stringify({ headers: agent.headers, outcome: DENY }) });
  const child = spawn(process.execPath, ["--import", "./src/telemetry/instrumentation.ts", FIXTURE, exit], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const report = new Promise<{ recording: boolean; traceId: string | null }>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split("\n")[0];
      if (stdout.includes("\n") && line !== undefined) resolve(JSON.parse(line) as { recording: boolean; traceId: string | null });
    });
    child.once("exit", () => reject(new Error(`the fixture exited without a report; stderr:\n${stderr}`)));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, stderr })),
  );
  report.catch(() => undefined);
  return { child, report, exit: exited };
}

function spansOf(traceId: string): ReceivedSpan[] {
  return collector.spans().filter((span) => span.traceId === traceId);
}

function expectDenyChildOf(span: ReceivedSpan, agent: Agent): void {
  expect(span.name).toBe("aegis.check");
  expect(span.kind).toBe(SPAN_KIND_SERVER);
  expect(span.traceId).toBe(agent.traceId);
  expect(span.parentSpanId).toBe(agent.parentSpanId);
  expect(span.traceState).toBe("agent=7");
  expect(span.scope).toBe("aegis");
  expect(span.attributes).toEqual(DENY_ATTRIBUTES);
}

describe("aegis.check spans through a real OpenTelemetry Collector", () => {
  it("arrive as a child of the agent's trace with the deny attributes and the OTEL_* resource", async () => {
    const agent = agentTrace();
    const run = emitCheckSpan(agent, {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
      OTEL_SERVICE_NAME: "aegis-under-test",
      OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=ci,service.namespace=aegis",
    });
    expect(await run.report).toEqual({ recording: true, traceId: agent.traceId });
    expect(await run.exit).toMatchObject({ code: 0, signal: null });

    const [span] = await collector.waitForSpans(1, { match: (s) => s.traceId === agent.traceId });
    expectDenyChildOf(span as ReceivedSpan, agent);
    expect(span?.resource).toMatchObject({
      "service.name": "aegis-under-test",
      "deployment.environment.name": "ci",
      "service.namespace": "aegis",
      "telemetry.sdk.language": "nodejs",
    });
  });

  it("default service.name to aegis and honour the traces-specific endpoint", async () => {
    const agent = agentTrace();
    const run = emitCheckSpan(agent, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.endpoint });
    expect(await run.exit).toMatchObject({ code: 0 });
    const [span] = await collector.waitForSpans(1, { match: (s) => s.traceId === agent.traceId });
    expect(span?.resource["service.name"]).toBe("aegis");
  });

  it("are flushed by shutdownTracing() before an immediate process.exit (the server's drain path)", async () => {
    const agent = agentTrace();
    const run = emitCheckSpan(agent, { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint }, "shutdown-then-exit");
    expect(await run.exit).toMatchObject({ code: 0 });
    // The export finished before exit: the Collector already holds the span.
    const spans = spansOf(agent.traceId);
    expect(spans).toHaveLength(1);
    expectDenyChildOf(spans[0] as ReceivedSpan, agent);
  });

  it("are flushed on SIGTERM, after which the process still dies of SIGTERM when the app does not handle it", async () => {
    const agent = agentTrace();
    // A long schedule delay: only the SIGTERM flush can deliver the span in time.
    const run = emitCheckSpan(agent, { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_BSP_SCHEDULE_DELAY: "600000" }, "wait-for-sigterm");
    expect(await run.report).toMatchObject({ recording: true });
    expect(spansOf(agent.traceId)).toHaveLength(0);
    run.child.kill("SIGTERM");
    expect(await run.exit).toMatchObject({ code: null, signal: "SIGTERM" });
    const spans = spansOf(agent.traceId);
    expect(spans).toHaveLength(1);
    expectDenyChildOf(spans[0] as ReceivedSpan, agent);
  });

  it("are flushed on SIGTERM while an app that handles SIGTERM itself drains and exits on its own terms", async () => {
    const agent = agentTrace();
    const run = emitCheckSpan(agent, { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_BSP_SCHEDULE_DELAY: "600000" }, "app-handles-sigterm");
    expect(await run.report).toMatchObject({ recording: true });
    run.child.kill("SIGTERM");
    // Not re-raised: the app's own handler decided the exit.
    expect(await run.exit).toMatchObject({ code: 0, signal: null });
    const spans = spansOf(agent.traceId);
    expect(spans).toHaveLength(1);
    expectDenyChildOf(spans[0] as ReceivedSpan, agent);
  });
});

describe("tracing stays off unless configured", () => {
  it.each([
    ["no OTLP endpoint and no OTEL_TRACES_EXPORTER", () => ({})],
    ["OTEL_SDK_DISABLED=true", () => ({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_SDK_DISABLED: "true" })],
    ["OTEL_TRACES_EXPORTER=none", () => ({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_TRACES_EXPORTER: "none" })],
    ["OTEL_TRACES_SAMPLER=always_off", () => ({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_TRACES_SAMPLER: "always_off" })],
  ])("%s: the span does not record and nothing reaches the Collector", async (_name, otelEnv: () => Record<string, string>) => {
    const agent = agentTrace();
    const run = emitCheckSpan(agent, otelEnv());
    expect(await run.report).toMatchObject({ recording: false });
    expect(await run.exit).toMatchObject({ code: 0 });
    // A process that traced would have flushed before exiting (see above), so absence now is final.
    expect(spansOf(agent.traceId)).toEqual([]);
  });
});
