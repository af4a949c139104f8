// Harness 7: node bench/extproc/run.ts [options]   (see bench/README.md)
// What the ext_proc filter adds per call at a constant rate, through the shipped envoy.yaml:
// Envoy alone, Envoy + ext_authz (Aegis) alone, + ext_proc with nothing to do (the request
// headers round trip: Aegis answers with a mode_override that skips bodies and the response), and
// + ext_proc reading the response (an agent whose action has a sanitize.response rule). Reported
// as p50/p99 and as the authorization hop of each path divided by ext_authz's alone.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BENCH_OUT, BENCH_POLICIES, bundleForBench } from "../lib/bundle-for-bench.ts";
import { type EnvoyMode, runEnvoyHarness } from "../lib/envoy-harness.ts";
import { formatEnvoyResult } from "../lib/envoy-report.ts";
import { machineInfo } from "../lib/machine.ts";
import { REPO_ROOT } from "../lib/repo-paths.ts";
import { defaultRegoDir } from "../../src/bundle/library-dir.ts";

const USAGE = `usage: node bench/extproc/run.ts [--rates 1000] [--duration 10] [--warmup 3] [--runs 3] [--json F] [--aegis-node-options O]\n`;
const { values } = parseArgs({
  options: {
    rates: { type: "string", default: "1000" },
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
    runs: { type: "string", default: "3" },
    json: { type: "string" },
    "aegis-node-options": { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help === true) {
  process.stdout.write(USAGE);
  process.exit(0);
}

// bench/policies plus the agent whose answers ext_proc reads.
const policies = join(mkdtempSync(join(tmpdir(), "aegis-bench-extproc-")), "extproc-policies");
cpSync(BENCH_POLICIES, policies, { recursive: true });
cpSync(join(REPO_ROOT, "bench", "extproc", "policies"), policies, { recursive: true });
const bundle = await bundleForBench(undefined, policies);

const modes: EnvoyMode[] = ["envoy", "envoy+aegis", "envoy+aegis+ext_proc", "envoy+aegis+ext_proc+response"];
const request = {
  method: "POST",
  path: "/v1/payment_intents",
  headers: { Host: "api.stripe.com", "content-type": "application/json", "x-aegis-tenant": "acme", "x-aegis-agent": "finance-agent" },
  body: readFileSync(join(REPO_ROOT, "bench", "envoy", "payment.json"), "utf8"),
};
const before = machineInfo();
const runs = Number(values.runs);
const result = await runEnvoyHarness({
  bundlePath: bundle.path,
  bundle: bundle.contents,
  regoDir: defaultRegoDir(),
  modes,
  rates: values.rates.split(",").map(Number),
  durationS: Number(values.duration),
  warmupS: Number(values.warmup),
  runs,
  envoyConcurrency: 1,
  ...(values["aegis-node-options"] === undefined ? {} : { aegisNodeOptions: values["aegis-node-options"] }),
  request,
  requestFor: { "envoy+aegis+ext_proc+response": { ...request, headers: { ...request.headers, "x-aegis-agent": "finance-redacted" } } },
  progress: (line) => process.stderr.write(`${line}\n`),
});

const jsonPath = values.json ?? join(BENCH_OUT, `extproc-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
mkdirSync(BENCH_OUT, { recursive: true });
writeFileSync(jsonPath, `${JSON.stringify({ machine: { before, after: machineInfo() }, settings: values, revision: bundle.contents.manifest.revision, ...result }, null, 2)}\n`);
process.stdout.write(formatEnvoyResult(result, runs));

// The hop of each ext_proc path over ext_authz's alone (both measured against Envoy alone).
const ms = (ns: number) => `${(ns / 1e6).toFixed(2)} ms`;
for (const rate of values.rates.split(",").map(Number)) {
  const hop = (mode: EnvoyMode) => result.hops.find((h) => h.mode === mode && h.rate === rate);
  const authz = hop("envoy+aegis");
  if (authz === undefined) continue;
  process.stdout.write(`\next_proc at ${rate}/s (hop = path − Envoy alone; ratio = hop ÷ ext_authz-alone hop)\n`);
  process.stdout.write(`| path | hop p50 | hop p99 | p50 ratio | p99 ratio | added p50 | added p99 |\n|---|---|---|---|---|---|---|\n`);
  for (const mode of ["envoy+aegis", "envoy+aegis+ext_proc", "envoy+aegis+ext_proc+response"] as const) {
    const h = hop(mode);
    if (h === undefined) continue;
    process.stdout.write(`| ${mode} | ${ms(h.p50Ns)} | ${ms(h.p99Ns)} | ${(h.p50Ns / authz.p50Ns).toFixed(2)}× | ${(h.p99Ns / authz.p99Ns).toFixed(2)}× | ${ms(h.p50Ns - authz.p50Ns)} | ${ms(h.p99Ns - authz.p99Ns)} |\n`);
  }
}
process.stdout.write(`full result: ${jsonPath}\n`);
