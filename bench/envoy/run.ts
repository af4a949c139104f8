// Harness 3: node bench/envoy/run.ts [options]   (see bench/README.md)
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BENCH_OUT, bundleForBench } from "../lib/bundle-for-bench.ts";
import { ENVOY_MODES, type EnvoyMode, runEnvoyHarness } from "../lib/envoy-harness.ts";
import { formatEnvoyResult } from "../lib/envoy-report.ts";
import { machineInfo } from "../lib/machine.ts";
import { REPO_ROOT } from "../lib/repo-paths.ts";
import { defaultRegoDir } from "../../src/bundle/library-dir.ts";

const USAGE = `usage: node bench/envoy/run.ts [options]
  --bundle B             bundle Aegis serves (default: bench/policies built into bench/out/)
  --rego-dir D           Rego library the bundle was built from, for the OPA side (default policies/aegis)
  --modes LIST           comma-separated, of ${ENVOY_MODES.join(",")}
                         (default: upstream,envoy,envoy+aegis,envoy+opa-envoy; envoy+opa-envoy asks the
                         real plugin when setup built it, the stand-in otherwise)
  --rates LIST           constant rates in req/s (default 1000)
  --duration S           seconds per rate (default 10)
  --warmup S             seconds at the first rate before measuring each path (default 3)
  --runs R               repeat every path R times (default 3)
  --envoy-concurrency N  Envoy worker threads (default 1)
  --aegis-node-options O NODE_OPTIONS for aegis serve, e.g. "--max-semi-space-size=4"
  --aegis-workers N      AEGIS_ENGINE_WORKERS for aegis serve (default: Aegis's default)
  --body F               request body file (default bench/envoy/payment.json)
  --json F               also write the full result as JSON (default bench/out/envoy-<time>.json)
`;

const { values } = parseArgs({
  options: {
    bundle: { type: "string" },
    "rego-dir": { type: "string" },
    modes: { type: "string", default: "upstream,envoy,envoy+aegis,envoy+opa-envoy" },
    rates: { type: "string", default: "1000" },
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
    runs: { type: "string", default: "3" },
    "envoy-concurrency": { type: "string", default: "1" },
    "aegis-workers": { type: "string" },
    "aegis-node-options": { type: "string" },
    body: { type: "string", default: join(REPO_ROOT, "bench", "envoy", "payment.json") },
    json: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help === true) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const modes = values.modes.split(",").map((m) => m.trim()).filter((m) => m !== "");
for (const m of modes) {
  if (!(ENVOY_MODES as readonly string[]).includes(m)) {
    process.stderr.write(`unknown mode "${m}"\n${USAGE}`);
    process.exit(2);
  }
}
const before = machineInfo();
const bundle = await bundleForBench(values.bundle);
const runs = Number(values.runs);
const result = await runEnvoyHarness({
  bundlePath: bundle.path,
  bundle: bundle.contents,
  regoDir: values["rego-dir"] ?? defaultRegoDir(),
  modes: modes as EnvoyMode[],
  rates: values.rates.split(",").filter((r) => r.trim() !== "").map(Number),
  durationS: Number(values.duration),
  warmupS: Number(values.warmup),
  runs,
  envoyConcurrency: Number(values["envoy-concurrency"]),
  ...(values["aegis-workers"] === undefined ? {} : { aegisWorkers: Number(values["aegis-workers"]) }),
  ...(values["aegis-node-options"] === undefined ? {} : { aegisNodeOptions: values["aegis-node-options"] }),
  request: {
    method: "POST",
    path: "/v1/payment_intents",
    headers: { Host: "api.stripe.com", "content-type": "application/json", "x-aegis-tenant": "acme", "x-aegis-agent": "finance-agent" },
    body: readFileSync(values.body, "utf8"),
  },
  progress: (line) => process.stderr.write(`${line}\n`),
});
const jsonPath = values.json ?? join(BENCH_OUT, `envoy-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
mkdirSync(BENCH_OUT, { recursive: true });
writeFileSync(jsonPath, `${JSON.stringify({ machine: { before, after: machineInfo() }, settings: values, bundle: bundle.path, revision: bundle.contents.manifest.revision, ...result }, null, 2)}\n`);
process.stdout.write(formatEnvoyResult(result, runs));
process.stdout.write(`full result: ${jsonPath}\n`);
