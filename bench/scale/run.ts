// Harness 4: node bench/scale/run.ts [options]   (see bench/README.md)
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BENCH_OUT, bundleForBench } from "../lib/bundle-for-bench.ts";
import { runGhz } from "../lib/ghz.ts";
import { createServerFixture, SERVER_NAMES, type ServerName } from "../lib/check-servers.ts";
import type { LatencySummary } from "../../src/bench/latency-histogram.ts";
import { machineInfo } from "../lib/machine.ts";
import { medianProbe, probeInChild, requestWithBody, scaleBundle, servedReload, soak } from "../lib/scale-harness.ts";
import { type AgentsPoint, type BodyPoint, formatScaleReport } from "../lib/scale-report.ts";
import { REPO_ROOT } from "../lib/repo-paths.ts";
import { defaultRegoDir } from "../../src/bundle/library-dir.ts";

const USAGE = `usage: node bench/scale/run.ts [options]
  --agents LIST         agent counts (default 10,1000,100000)
  --bodies LIST         request body sizes in bytes (default 1024,65536)
  --body-servers LIST   servers for the body-size Check phase (default aegis,opa-envoy)
  --runs R              in-process probes per point, medians (default 3)
  --duration S          evaluation seconds per probe (default 3)
  --probe-workers N     also probe with N worker threads (default 2; 0 skips)
  --no-reload           skip the served reload phase
  --reload-baseline S   seconds of checks before the bundle swap (default 5)
  --reload-tail S       seconds of checks after it; the reload must finish within them (default 10)
  --rate R              checks per second during reloads, body phases and the soak (default 1000)
  --soak S              run a soak of S seconds at --rate against aegis serve (default 0: none)
  --rebuild             rebuild the generated bundles even when bench/out/scale has them
  --aegis-workers N     AEGIS_ENGINE_WORKERS for aegis serve (default: Aegis's default)
  --json F              also write the full result as JSON (default bench/out/scale-<time>.json)
`;

const { values } = parseArgs({
  options: {
    agents: { type: "string", default: "10,1000,100000" },
    bodies: { type: "string", default: "1024,65536" },
    "body-servers": { type: "string", default: "aegis,opa-envoy" },
    runs: { type: "string", default: "3" },
    duration: { type: "string", default: "3" },
    "probe-workers": { type: "string", default: "2" },
    "no-reload": { type: "boolean", default: false },
    "reload-baseline": { type: "string", default: "5" },
    "reload-tail": { type: "string", default: "10" },
    rate: { type: "string", default: "1000" },
    soak: { type: "string", default: "0" },
    rebuild: { type: "boolean", default: false },
    "aegis-workers": { type: "string" },
    json: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help === true) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const list = (text: string) => text.split(",").map((s) => s.trim()).filter((s) => s !== "");
const say = (line: string) => process.stderr.write(`${line}\n`);
const runs = Number(values.runs);
const durationMs = Number(values.duration) * 1000;
const probeWorkers = Number(values["probe-workers"]);
const rate = Number(values.rate);
const regoDir = defaultRegoDir();
const aegisWorkers = values["aegis-workers"] === undefined ? {} : { aegisWorkers: Number(values["aegis-workers"]) };
const requestFile = join(REPO_ROOT, "bench", "grpc", "check-request.json");
const before = machineInfo();

const agents: AgentsPoint[] = [];
for (const count of list(values.agents).map(Number)) {
  say(`agents ${count}: bundles`);
  const bundle = await scaleBundle(count, values.rebuild);
  const probes = [];
  for (let i = 0; i < runs; i++) probes.push(await probeInChild(bundle.pathA, { paramsBytes: 0, workers: 0, warmupMs: 500, durationMs }));
  const probe = medianProbe(probes);
  say(`  inline: load ${probe.loadMs.toFixed(0)} ms, rss ${(probe.rssAfterEvalBytes / 2 ** 20).toFixed(0)} MiB, eval p99 ${(probe.eval.p99Ns / 1000).toFixed(1)} µs`);
  const probeW = probeWorkers > 0 ? await probeInChild(bundle.pathA, { paramsBytes: 0, workers: probeWorkers, warmupMs: 500, durationMs }) : null;
  let reload = null;
  if (!values["no-reload"]) {
    reload = await servedReload({ bundle, regoDir, requestFile, rate, baselineS: Number(values["reload-baseline"]), tailS: Number(values["reload-tail"]), ...aegisWorkers });
    say(`  served reload: ${reload.reloadMs} ms, spike ${reload.spikeOverBaselineP99.toFixed(2)}× p99, rss ${(reload.rssAfterBytes / 2 ** 20).toFixed(0)} MiB`);
  }
  agents.push({ bundle, probe, probeWorkers: probeW, reload });
}

const bodies: BodyPoint[] = [];
const bodySizes = list(values.bodies).map(Number);
if (bodySizes.length > 0) {
  const base = await bundleForBench(undefined);
  const fixture = await createServerFixture({ bundlePath: base.path, bundle: base.contents, regoDir, ...aegisWorkers });
  try {
    for (const bytes of bodySizes) {
      say(`body ${bytes} bytes`);
      const probes = [];
      for (let i = 0; i < runs; i++) probes.push(await probeInChild(base.path, { paramsBytes: bytes, workers: 0, warmupMs: 500, durationMs }));
      const file = await requestWithBody(bytes, join(BENCH_OUT, "scale"));
      const check: Record<string, LatencySummary> = {};
      const peers: Record<string, string> = {}; // which implementation answered as each server
      for (const name of list(values["body-servers"]) as ServerName[]) {
        if (!(SERVER_NAMES as readonly string[]).includes(name)) throw new Error(`unknown server ${name}`);
        const server = await fixture.start(name);
        peers[name] = server.peer;
        try {
          await runGhz({ target: server.target, requestFile: file, durationS: 2, concurrency: 50, connections: 1, rps: rate });
          check[name] = (await runGhz({ target: server.target, requestFile: file, durationS: Number(values.duration) * 2, concurrency: 50, connections: 1, rps: rate })).latency;
        } finally {
          await server.stop();
        }
      }
      bodies.push({ bytes, probe: medianProbe(probes), check, peers });
    }
  } finally {
    await fixture.remove();
  }
}

const soakSeconds = Number(values.soak);
let soakResult = null;
if (soakSeconds > 0) {
  say(`soak: ${soakSeconds} s at ${rate}/s`);
  const base = await bundleForBench(undefined);
  soakResult = await soak({ bundlePath: base.path, regoDir, requestFile, seconds: soakSeconds, rate, ...aegisWorkers });
}

const report = { agents, bodies, soak: soakResult, runs, probeWorkers };
const jsonPath = values.json ?? join(BENCH_OUT, `scale-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
mkdirSync(BENCH_OUT, { recursive: true });
writeFileSync(jsonPath, `${JSON.stringify({ machine: { before, after: machineInfo() }, settings: values, ...report }, null, 2)}\n`);
process.stdout.write(formatScaleReport(report));
process.stdout.write(`full result: ${jsonPath}\n`);
