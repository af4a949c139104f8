// Harness 5: node bench/durability/run.ts [options]   (see bench/README.md)
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BENCH_OUT, bundleForBench } from "../lib/bundle-for-bench.ts";
import { runDurabilityHarness } from "../lib/durability-harness.ts";
import { formatNs, formatRatio, table } from "../../src/bench/format.ts";
import { machineInfo } from "../lib/machine.ts";
import { REPO_ROOT } from "../lib/repo-paths.ts";

const USAGE = `usage: node bench/durability/run.ts [options]
  --bundle B          bundle to serve (default: bench/policies built into bench/out/)
  --request F         CheckRequest as protobuf JSON (default: bench/grpc/check-request.json)
  --rate R            constant-rate phase in req/s (default 500)
  --duration S        seconds per phase (default 10)
  --warmup S          seconds of max load before measuring each server (default 3)
  --runs N            repeat both modes N times, alternating which goes first (default 3)
  --concurrency C     ghz workers (default 50)
  --connections K     gRPC connections ghz opens (default 1, as one Envoy worker does)
  --json F            also write the full result as JSON to F (default bench/out/durability-<time>.json)
`;

const { values } = parseArgs({
  options: {
    bundle: { type: "string" },
    request: { type: "string", default: join(REPO_ROOT, "bench", "grpc", "check-request.json") },
    rate: { type: "string", default: "500" },
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
    runs: { type: "string", default: "3" },
    concurrency: { type: "string", default: "50" },
    connections: { type: "string", default: "1" },
    json: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help === true) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const before = machineInfo();
const bundle = await bundleForBench(values.bundle);
const result = await runDurabilityHarness({
  bundlePath: bundle.path,
  requestFile: values.request,
  rate: Number(values.rate),
  durationS: Number(values.duration),
  warmupS: Number(values.warmup),
  runs: Number(values.runs),
  concurrency: Number(values.concurrency),
  connections: Number(values.connections),
  progress: (line) => process.stderr.write(`${line}\n`),
});
const jsonPath = values.json ?? join(BENCH_OUT, `durability-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
mkdirSync(BENCH_OUT, { recursive: true });
writeFileSync(jsonPath, `${JSON.stringify({ machine: { before, after: machineInfo() }, settings: values, bundle: bundle.path, ...result }, null, 2)}\n`);
process.stdout.write(`${table(
  ["durability", "phase", "req/s", "p50", "p99", "errors", "records logged"],
  result.medians.map((m) => [m.mode, m.phase, m.rps.toFixed(0), formatNs(m.p50Ns), formatNs(m.p99Ns), String(m.errors), String(m.logged)]),
)}\n\nsync / buffered (median of per-run ratios): max req/s ${formatRatio(result.ratios.maxRps)}, p50 at ${values.rate}/s ${formatRatio(result.ratios.p50AtRate)}, p99 at ${values.rate}/s ${formatRatio(result.ratios.p99AtRate)}, p50 at max ${formatRatio(result.ratios.p50AtMax)}, p99 at max ${formatRatio(result.ratios.p99AtMax)}\nfull result: ${jsonPath}\n`);
