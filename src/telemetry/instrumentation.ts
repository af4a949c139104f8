// The one OpenTelemetry entry, loaded before the app:
//   node --import ./src/telemetry/instrumentation.ts src/cli/main.ts serve
// Tracing is off unless an OTLP endpoint (or OTEL_TRACES_EXPORTER=otlp) is configured; then
// nothing is loaded or registered and @opentelemetry/api stays a no-op on the hot path. When on:
// the NodeSDK with the OTLP gRPC span exporter, W3C trace-context propagation and no
// auto-instrumentation (it would add latency to every check), all configured by OTEL_* env vars.
import { SHUTDOWN_HOOK } from "./tracing.ts";

type Env = Readonly<Record<string, string | undefined>>;

const env: Env = process.env;
if (tracingRequested(env)) await startTracing(env);

function tracingRequested(env: Env): boolean {
  if (env["OTEL_SDK_DISABLED"]?.trim().toLowerCase() === "true") return false;
  const exporters = (env["OTEL_TRACES_EXPORTER"] ?? "").split(",").map((name) => name.trim()).filter((name) => name !== "");
  if (exporters.length > 0 && !exporters.includes("otlp")) {
    if (!exporters.includes("none")) warn(`OTEL_TRACES_EXPORTER=${exporters.join(",")} is not supported (only otlp over gRPC); tracing stays off`);
    return false;
  }
  return exporters.includes("otlp") || present(env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]) || present(env["OTEL_EXPORTER_OTLP_ENDPOINT"]);
}

async function startTracing(env: Env): Promise<void> {
  // Loaded only when tracing is on: the SDK adds startup time a process without tracing should not pay.
  const [{ NodeSDK }, { OTLPTraceExporter }, { W3CTraceContextPropagator }, { defaultResource, resourceFromAttributes }, { ATTR_SERVICE_NAME }] =
    await Promise.all([
      import("@opentelemetry/sdk-node"),
      import("@opentelemetry/exporter-trace-otlp-grpc"),
      import("@opentelemetry/core"),
      import("@opentelemetry/resources"),
      import("@opentelemetry/semantic-conventions"),
    ]);
  const protocol = env["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] ?? env["OTEL_EXPORTER_OTLP_PROTOCOL"];
  if (present(protocol) && protocol.trim() !== "grpc") warn(`OTLP protocol ${protocol} is not supported; spans are exported over gRPC`);

  // The default process detector would put the whole command line (process.command_args) on every
  // span, and `aegis serve --admin-token …` is a command line: leave it out unless asked for.
  if (!present(env["OTEL_NODE_RESOURCE_DETECTORS"])) process.env["OTEL_NODE_RESOURCE_DETECTORS"] = "env,host,os,serviceinstance";
  const sdk = new NodeSDK({
    // The endpoint, headers, TLS files, timeout and compression come from OTEL_EXPORTER_OTLP_*.
    traceExporter: new OTLPTraceExporter(),
    // W3C trace context unless OTEL_PROPAGATORS names others (e.g. b3 for a Zipkin-configured Envoy).
    ...(present(env["OTEL_PROPAGATORS"]) ? {} : { textMapPropagator: new W3CTraceContextPropagator() }),
    // "aegis" unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise: detected attributes merge over this.
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: "aegis" })),
    // Metrics are Prometheus (src/telemetry/metrics.ts) and logs are pino: the SDK handles spans only.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();

  let shutdown: Promise<void> | undefined;
  const shutdownOnce = (): Promise<void> =>
    (shutdown ??= sdk.shutdown().catch((error: unknown) => warn(`flushing spans failed: ${error instanceof Error ? error.message : String(error)}`)));
  // tracing.ts's shutdownTracing() finds this without importing the SDK.
  (globalThis as Record<symbol, unknown>)[SHUTDOWN_HOOK] = shutdownOnce;

  process.once("beforeExit", () => void shutdownOnce());
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      // Counted now, before the app's own once-listeners run and remove themselves. When the app
      // listens, it owns the exit (a graceful drain that awaits shutdownTracing()); otherwise
      // restore Node's default for the signal, which this listener had replaced.
      const appHandlesSignal = process.listenerCount(signal) > 0;
      void shutdownOnce().finally(() => {
        if (!appHandlesSignal) process.kill(process.pid, signal);
      });
    });
  }
}

function present(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== "";
}

function warn(message: string): void {
  process.stderr.write(`[aegis tracing] ${message}\n`);
}
