// Test helper: a real OpenTelemetry Collector (built by `scripts/setup.sh otelcol`) receiving
// OTLP over gRPC on a free loopback port. It forwards every span it received, as OTLP/JSON, to
// a small HTTP sink in this process (its core `otlp_http` exporter), so tests read what the
// Collector decoded; the `debug` exporter writes the same spans to its log for failure messages.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectDockerEngine } from "./docker.ts";
import { REPO_ROOT } from "./opa.ts";
import { freePort, READY_TIMEOUT_MS } from "./ports.ts";

export type AttributeValue = string | number | boolean | readonly AttributeValue[] | null;

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** "" for a root span. */
  readonly parentSpanId: string;
  readonly traceState: string;
  readonly name: string;
  /** OTLP SpanKind: 2 is SERVER. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  readonly status: { readonly code: number; readonly message: string };
  readonly resource: Readonly<Record<string, AttributeValue>>;
  readonly scope: string;
}

export const SPAN_KIND_SERVER = 2;
export const STATUS_CODE_ERROR = 2;

export interface Otelcol {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT: http://127.0.0.1:PORT, the Collector's OTLP gRPC receiver. */
  readonly endpoint: string;
  /** Every span received so far, in arrival order. */
  spans(): readonly ReceivedSpan[];
  /** Resolves with the first `count` received spans that `match` (all spans by default), or fails with the Collector's log. */
  waitForSpans(count: number, options?: { readonly match?: (span: ReceivedSpan) => boolean; readonly timeoutMs?: number }): Promise<ReceivedSpan[]>;
  /** The Collector's own log, with the debug exporter's detailed dump of every span. */
  log(): string;
  stop(): Promise<void>;
}

const READY_LINE = "Everything is ready";
const START_ATTEMPTS = 3;

/** The Collector binary: AEGIS_OTELCOL, else .tools/bin/otelcol. Throws (tests fail, never skip) when it is missing. */
export function otelcolBinary(): string {
  const candidate = process.env["AEGIS_OTELCOL"] ?? join(REPO_ROOT, ".tools", "bin", "otelcol");
  if (!existsSync(candidate)) {
    throw new Error(`OpenTelemetry Collector not found at ${candidate}: run \`bash scripts/setup.sh otelcol\` (or set AEGIS_OTELCOL) before these tests`);
  }
  return candidate;
}

/** Starts a Collector and its span sink; call stop() when done. */
export async function startOtelcol(): Promise<Otelcol> {
  const binary = otelcolBinary();
  const docker = await detectDockerEngine();
  const why = docker.reachable
    ? `Docker engine reachable at ${docker.endpoint}, but testcontainers is not installed`
    : `no Docker engine reachable (${docker.endpoint}: ${docker.reason})`;

  const received: ReceivedSpan[] = [];
  const sink = await startSink(received);
  const dir = mkdtempSync(join(tmpdir(), "aegis-otelcol-"));
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    // freePort can race with another process taking the port: then the Collector exits and we retry.
    const grpcPort = await freePort();
    const config = join(dir, "config.yaml");
    writeFileSync(config, collectorConfig(grpcPort, (sink.address() as AddressInfo).port));
    console.info(`[otelcol] ${why}; using local Collector at ${binary}, OTLP gRPC on 127.0.0.1:${grpcPort}`);
    try {
      const collector = await launch(binary, config);
      return handle(`http://127.0.0.1:${grpcPort}`, collector, sink, dir, received);
    } catch (error) {
      lastError = error;
    }
  }
  await closeSink(sink);
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}

function handle(endpoint: string, collector: Launched, sink: Server, dir: string, received: ReceivedSpan[]): Otelcol {
  return {
    endpoint,
    spans: () => [...received],
    async waitForSpans(count, options = {}) {
      const match = options.match ?? (() => true);
      const timeoutMs = options.timeoutMs ?? 20_000;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = received.filter(match);
        if (matching.length >= count) return matching.slice(0, count);
        if (Date.now() > deadline) {
          throw new Error(
            `the Collector received ${matching.length} matching span(s) of ${count} expected within ${timeoutMs} ms ` +
              `(${received.length} in all: ${received.map((s) => s.name).join(", ") || "none"}). Collector log:\n${tail(collector.log())}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    log: () => collector.log(),
    async stop() {
      await stopProcess(collector.child);
      await closeSink(sink);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function collectorConfig(grpcPort: number, sinkPort: number): string {
  // No sending queue and no retries: each batch reaches the sink before the receiver answers the exporter.
  return `receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${grpcPort}
exporters:
  otlp_http:
    endpoint: http://127.0.0.1:${sinkPort}
    encoding: json
    compression: none
    retry_on_failure:
      enabled: false
    sending_queue:
      enabled: false
  debug:
    verbosity: detailed
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [otlp_http, debug]
`;
}

interface Launched {
  readonly child: ChildProcess;
  log(): string;
}

async function launch(binary: string, config: string): Promise<Launched> {
  const child = spawn(binary, ["--config", `file:${config}`], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the Collector did not report ready within ${READY_TIMEOUT_MS / 1000} s:\n${tail(output)}`));
    }, READY_TIMEOUT_MS);
    const onData = () => {
      if (!output.includes(READY_LINE)) return;
      clearTimeout(timer);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
      resolve();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      reject(new Error(`the Collector exited during startup (code ${code}, signal ${signal}):\n${tail(output)}`));
    };
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  return { child, log: () => output };
}

function startSink(received: ReceivedSpan[]): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (req.url !== "/v1/traces") {
        res.writeHead(404).end();
        return;
      }
      try {
        received.push(...decodeTraces(JSON.parse(Buffer.concat(chunks).toString("utf8"))));
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      } catch (error) {
        res.writeHead(400, { "content-type": "text/plain" }).end(String(error));
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

/** OTLP/JSON ExportTraceServiceRequest → flat spans. */
export function decodeTraces(body: unknown): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of array(record(body)["resourceSpans"])) {
    const resource = attributes(record(record(resourceSpans)["resource"])["attributes"]);
    for (const scopeSpans of array(record(resourceSpans)["scopeSpans"])) {
      const scope = String(record(record(scopeSpans)["scope"])["name"] ?? "");
      for (const raw of array(record(scopeSpans)["spans"])) {
        const span = record(raw);
        const status = record(span["status"]);
        spans.push({
          traceId: String(span["traceId"] ?? ""),
          spanId: String(span["spanId"] ?? ""),
          parentSpanId: String(span["parentSpanId"] ?? ""),
          traceState: String(span["traceState"] ?? ""),
          name: String(span["name"] ?? ""),
          kind: Number(span["kind"] ?? 0),
          attributes: attributes(span["attributes"]),
          status: { code: Number(status["code"] ?? 0), message: String(status["message"] ?? "") },
          resource,
          scope,
        });
      }
    }
  }
  return spans;
}

function attributes(list: unknown): Record<string, AttributeValue> {
  return Object.fromEntries(array(list).map((entry) => [String(record(entry)["key"]), anyValue(record(entry)["value"])]));
}

function anyValue(value: unknown): AttributeValue {
  const v = record(value);
  if ("stringValue" in v) return String(v["stringValue"]);
  if ("boolValue" in v) return Boolean(v["boolValue"]);
  // int64 travels as a JSON string in OTLP/JSON.
  if ("intValue" in v) return Number(v["intValue"]);
  if ("doubleValue" in v) return Number(v["doubleValue"]);
  if ("arrayValue" in v) return array(record(v["arrayValue"])["values"]).map(anyValue);
  return null;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function array(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

function closeSink(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

function tail(text: string): string {
  return text.split("\n").slice(-60).join("\n");
}
