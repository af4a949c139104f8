// Harness 2: node bench/grpc/run.ts [options]   (see bench/README.md)
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { defaultRegoDir } from "../../src/bundle/library-dir.ts";
import { BENCH_OUT, bundleForBench } from "../lib/bundle-for-bench.ts";
import { DEFAULT_SERVERS, SERVER_NAMES, type ServerName } from "../lib/check-servers.ts";
import { runGrpcHarness } from "../lib/grpc-harness.ts";
import { formatGrpcResult } from "../lib/grpc-report.ts";
import { machineInfo } from "../lib/machine.ts";
import { REPO_ROOT } from "../lib/repo-paths.ts";

const USAGE = `usage: node bench/grpc/run.ts [options]
  --bundle B          bundle to serve (default: policies/examples built into bench/out/)
  --rego-dir D        Rego library the bundle was built from, for the OPA side (default policies/aegis)
  --request F         CheckRequest as protobuf JSON (default: bench/grpc/check-request.json)
  --denied-request F  a request every deciding server must deny alike, checked once before loading
                      (default: bench/grpc/check-request-denied.json; "" to skip)
  --servers LIST      comma-separated, of ${SERVER_NAMES.join(",")}
                      (default: ${DEFAULT_SERVERS.join(",")}; opa-envoy is the real plugin when
                      setup built it, the stand-in otherwise; opa-envoy-stand-in is always the stand-in)
  --rates LIST        constant-rate phases in req/s (default: 1000)
  --no-max            skip the max-throughput phase
  --duration S        seconds per phase (default 10)
  --warmup S          seconds of max load before measuring each server (default 3)
  --runs R            repeat everything R times, servers in rotated order (default 3)
  --concurrency C     ghz workers (default 50)
  --connections K     gRPC connections ghz opens (default 1, as one Envoy worker does)
  --aegis-node-options O NODE_OPTIONS for aegis serve, e.g. "--max-semi-space-size=4"
  --aegis-workers N   AEGIS_ENGINE_WORKERS for aegis serve (default: Aegis's default)
  --server-cpus L     taskset CPU list for the servers, e.g. 1
  --load-cpus L       taskset CPU list for ghz, e.g. 0
  --json F            also write the full result as JSON to F (default bench/out/grpc-<time>.json)
`;

const { values } = parseArgs({
  options: {
    bundle: { type: "string" },
    "rego-dir": { type: "string" },
    request: { type: "string", default: join(REPO_ROOT, "bench", "grpc", "check-request.json") },
    "denied-request": { type: "string", default: join(REPO_ROOT, "bench", "grpc", "check-request-denied.json") },
    servers: { type: "string", default: DEFAULT_SERVERS.join(",") },
    rates: { type: "string", default: "1000" },
    "no-max": { type: "boolean", default: false },
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
    runs: { type: "string", default: "3" },
    concurrency: { type: "string", default: "50" },
    connections: { type: "string", default: "1" },
    "aegis-workers": { type: "string" },
    "aegis-node-options": { type: "string" },
    "server-cpus": { type: "string" },
    "load-cpus": { type: "string" },
    json: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help === true) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const servers = values.servers.split(",").map((s) => s.trim()).filter((s) => s !== "");
for (const s of servers) {
  if (!(SERVER_NAMES as readonly string[]).includes(s)) {
    process.stderr.write(`unknown server "${s}"\n${USAGE}`);
    process.exit(2);
  }
}
const before = machineInfo();
const bundle = await bundleForBench(values.bundle);
const runs = Number(values.runs);
const result = await runGrpcHarness({
  bundlePath: bundle.path,
  bundle: bundle.contents,
  regoDir: values["rego-dir"] ?? defaultRegoDir(),
  requestFile: values.request,
  ...(values["denied-request"] === "" ? {} : { deniedRequestFile: values["denied-request"] }),
  servers: servers as ServerName[],
  rates: values.rates.split(",").filter((r) => r.trim() !== "").map(Number),
  max: !values["no-max"],
  durationS: Number(values.duration),
  warmupS: Number(values.warmup),
  runs,
  concurrency: Number(values.concurrency),
  connections: Number(values.connections),
  ...(values["aegis-workers"] === undefined ? {} : { aegisWorkers: Number(values["aegis-workers"]) }),
  ...(values["aegis-node-options"] === undefined ? {} : { aegisNodeOptions: values["aegis-node-options"] }),
  ...(values["server-cpus"] === undefined ? {} : { serverCpus: values["server-cpus"] }),
  ...(values["load-cpus"] === undefined ? {} : { loadCpus: values["load-cpus"] }),
  progress: (line) => process.stderr.write(`${line}\n`),
});
const jsonPath = values.json ?? join(BENCH_OUT, `grpc-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
mkdirSync(BENCH_OUT, { recursive: true });
writeFileSync(jsonPath, `${JSON.stringify({ machine: { before, after: machineInfo() }, settings: values, bundle: bundle.path, revision: bundle.contents.manifest.revision, ...result }, null, 2)}\n`);
process.stdout.write(formatGrpcResult(result, runs));
process.stdout.write(`full result: ${jsonPath}\n`);
