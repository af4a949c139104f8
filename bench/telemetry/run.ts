// Harness 5: the cost of observability. `aegis serve` under ghz with tracing off and the decision
// log off (the baseline), with OTLP tracing on (spans exported to a real OpenTelemetry Collector),
// with the hash-chained, signed decision log on, and with both; ratios to the baseline are taken
// within each run, for latency and for the server's own CPU per Check (from /proc/<pid>/stat,
// at max). Usage: node bench/telemetry/run.ts [--runs 3] [--duration 10] [--rate 1000] [--json F]
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BENCH_OUT, bundleForBench } from "../lib/bundle-for-bench.ts";
import { freePort } from "../lib/free-port.ts";
import { runGhz, type GhzResult } from "../lib/ghz.ts";
import { machineInfo } from "../lib/machine.ts";
import { sampleProcess } from "../lib/proc-stat.ts";
import { REPO_ROOT } from "../lib/repo-paths.ts";
import { startServer } from "../lib/server-process.ts";
import { median } from "../../src/bench/stats.ts";
import { startOtelcol } from "../../test/support/otelcol.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    duration: { type: "string", default: "10" },
    rate: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "50" },
    json: { type: "string" },
  },
});
const runs = Number(values.runs);
const durationS = Number(values.duration);
const rate = Number(values.rate);
const concurrency = Number(values.concurrency);

const VARIANTS = ["off", "tracing", "decision-log", "both"] as const;
type Variant = (typeof VARIANTS)[number];

const work = mkdtempSync(join(tmpdir(), "aegis-bench-telemetry-"));
const keyFile = join(work, "audit.pem");
writeFileSync(keyFile, generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }));
const { path: bundlePath } = await bundleForBench(undefined);
const requestFile = join(REPO_ROOT, "bench", "grpc", "check-request.json");
const collector = await startOtelcol();

interface Phase { rps: number; p50Ms: number; p99Ms: number; errors: number; cpuUsPerCheck: number }
const results: Record<Variant, { fixed: Phase[]; max: Phase[] }> = Object.fromEntries(VARIANTS.map((v) => [v, { fixed: [], max: [] }])) as never;
const ratios: Record<Exclude<Variant, "off">, { p50: number[]; p99: number[]; maxRps: number[]; cpuPerCheck: number[] }> = Object.fromEntries(VARIANTS.slice(1).map((v) => [v, { p50: [], p99: [], maxRps: [], cpuPerCheck: [] }])) as never;

const phase = (r: GhzResult, cpuSeconds: number): Phase => ({
  rps: r.rps, p50Ms: r.latency.p50Ns / 1e6, p99Ms: r.latency.p99Ns / 1e6, errors: r.errors, cpuUsPerCheck: r.ok > 0 ? (cpuSeconds / r.ok) * 1e6 : 0,
});

/** Runs one ghz phase and the server's CPU it cost (all its threads, from /proc). */
async function measured(pid: number, run: () => Promise<GhzResult>): Promise<Phase> {
  const before = sampleProcess(pid);
  const result = await run();
  return phase(result, sampleProcess(pid).cpuSeconds - before.cpuSeconds);
}

for (let run = 0; run < runs; run++) {
  const order = [...VARIANTS.slice(run % VARIANTS.length), ...VARIANTS.slice(0, run % VARIANTS.length)];
  const thisRun = {} as Record<Variant, { fixed: Phase; max: Phase }>;
  for (const variant of order) {
    const grpcPort = await freePort();
    const httpPort = await freePort();
    const cwd = join(work, `${variant}-${run}`);
    mkdirSync(cwd, { recursive: true });
    const logArgs = variant === "decision-log" || variant === "both" ? ["--decision-log", join(cwd, "decisions.log"), "--audit-signing-key", keyFile] : [];
    const tracingEnv: Record<string, string> = variant === "tracing" || variant === "both" ? { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint } : {};
    const server = await startServer({
      name: `aegis-${variant}`,
      command: join(REPO_ROOT, "bin", "aegis"),
      args: ["serve", "--bundle", bundlePath, "--grpc-addr", `127.0.0.1:${grpcPort}`, "--http-addr", `127.0.0.1:${httpPort}`, ...logArgs],
      env: { AEGIS_TRUST_IDENTITY_HEADERS: "true", ...tracingEnv },
      cwd,
      ready: { kind: "http", url: `http://127.0.0.1:${httpPort}/readyz` },
    });
    try {
      const target = `127.0.0.1:${grpcPort}`;
      await runGhz({ target, requestFile, durationS: 2, concurrency, connections: 1 }); // warm-up
      const fixed = await measured(server.pid, () => runGhz({ target, requestFile, durationS, concurrency, connections: 1, rps: rate }));
      const max = await measured(server.pid, () => runGhz({ target, requestFile, durationS, concurrency, connections: 1 }));
      thisRun[variant] = { fixed, max };
      results[variant].fixed.push(fixed);
      results[variant].max.push(max);
      process.stderr.write(`run ${run + 1} ${variant}: ${rate}/s p50 ${fixed.p50Ms.toFixed(2)} ms p99 ${fixed.p99Ms.toFixed(2)} ms; max ${Math.round(max.rps)} req/s, ${Math.round(max.cpuUsPerCheck)} µs CPU per check\n`);
    } finally {
      await server.stop();
    }
  }
  for (const variant of VARIANTS.slice(1) as Exclude<Variant, "off">[]) {
    ratios[variant].p50.push(thisRun[variant].fixed.p50Ms / thisRun.off.fixed.p50Ms);
    ratios[variant].p99.push(thisRun[variant].fixed.p99Ms / thisRun.off.fixed.p99Ms);
    ratios[variant].maxRps.push(thisRun[variant].max.rps / thisRun.off.max.rps);
    ratios[variant].cpuPerCheck.push(thisRun[variant].max.cpuUsPerCheck / thisRun.off.max.cpuUsPerCheck);
  }
}
const spans = collector.spans().length;
await collector.stop();

const lines = [
  `aegis serve, ${runs} run(s) × ${VARIANTS.length} variants, ${durationS} s at ${rate}/s and ${durationS} s at max (ghz, ${concurrency} workers); medians`,
  "",
  "variant        p50 @rate    p99 @rate    max req/s   CPU µs/check at max   errors",
  ...VARIANTS.map((v) => {
    const f = results[v].fixed;
    const m = results[v].max;
    return `${v.padEnd(14)} ${median(f.map((p) => p.p50Ms)).toFixed(2).padStart(7)} ms  ${median(f.map((p) => p.p99Ms)).toFixed(2).padStart(7)} ms  ${Math.round(median(m.map((p) => p.rps))).toString().padStart(9)}   ${Math.round(median(m.map((p) => p.cpuUsPerCheck))).toString().padStart(19)}   ${[...f, ...m].reduce((n, p) => n + p.errors, 0)}`;
  }),
  "",
  "ratio to both off (within each run, median across runs):",
  ...(VARIANTS.slice(1) as Exclude<Variant, "off">[]).map((v) => `  ${v.padEnd(13)} p50 ${median(ratios[v].p50).toFixed(3)}×  p99 ${median(ratios[v].p99).toFixed(3)}×  max throughput ${median(ratios[v].maxRps).toFixed(3)}×  CPU per check ${median(ratios[v].cpuPerCheck).toFixed(3)}×`),
  `spans received by the collector: ${spans}`,
];
process.stdout.write(`${lines.join("\n")}\n`);
const out = values.json ?? join(BENCH_OUT, `telemetry-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
mkdirSync(BENCH_OUT, { recursive: true });
writeFileSync(out, JSON.stringify({ machine: machineInfo(), runs, durationS, rate, concurrency, results, ratios, spans }, null, 2));
process.stdout.write(`full result: ${out}\n`);
