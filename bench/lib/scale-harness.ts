// Harness 4: how evaluation latency, memory and reload time grow with the number of agents in
// data.json and with the size of the request body. Bundles come from generated YAML through the
// real `aegis build`; each in-process probe runs in a fresh process so its RSS is its own; the
// served reload swaps the bundle file under `aegis serve` while ghz keeps 1k req/s in flight.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { readBundle } from "../../src/bundle/read.ts";
import { AegisError } from "../../src/errors/registry.ts";
import { paramsOfSize } from "./body-params.ts";
import { BENCH_OUT } from "./bundle-for-bench.ts";
import { createServerFixture } from "./check-servers.ts";
import { type GhzSample, runGhz } from "./ghz.ts";
import { createLatencyRecorder, type LatencySummary } from "../../src/bench/latency-histogram.ts";
import { sampleProcess } from "./proc-stat.ts";
import { REPO_ROOT } from "./repo-paths.ts";
import type { ProbeResult } from "./scale-probe.ts";
import { writeScalePolicies } from "./scale-policies.ts";
import { median } from "../../src/bench/stats.ts";

const run = promisify(execFile);

export interface ScaleBundle {
  readonly agents: number;
  readonly pathA: string;
  readonly pathB: string;
  readonly bundleBytes: number;
  readonly dataJsonBytes: number;
  /** Wall time of `aegis build` for this many agents (the first build, when not cached). */
  readonly buildMs: number | null;
}

/** Two builds of the same policies (revisions a and b), so a reload has something to swap to. */
export async function scaleBundle(agents: number, rebuild: boolean): Promise<ScaleBundle> {
  const dir = join(BENCH_OUT, "scale");
  const pathA = join(dir, `agents-${agents}-a.tar.gz`);
  const pathB = join(dir, `agents-${agents}-b.tar.gz`);
  let buildMs: number | null = null;
  if (rebuild || !existsSync(pathA) || !existsSync(pathB)) {
    const src = await mkdtemp(join(tmpdir(), "aegis-scale-policies-"));
    try {
      await writeScalePolicies(src, agents);
      const started = performance.now();
      await aegisBuild(src, pathA, `scale-${agents}-a`);
      buildMs = performance.now() - started;
      await aegisBuild(src, pathB, `scale-${agents}-b`);
    } finally {
      await rm(src, { recursive: true, force: true });
    }
  }
  const contents = await readBundle(await readFile(pathA));
  return { agents, pathA, pathB, bundleBytes: (await stat(pathA)).size, dataJsonBytes: contents.dataJson.byteLength, buildMs };
}

// The generated fleet is one file of every agent: far past the caps meant for hand-written policy
// sets (src/policy/read-limits.ts), so the harness raises them the way an operator would.
const FLEET_POLICY_LIMITS = {
  AEGIS_POLICY_MAX_FILE_BYTES: String(1024 * 1024 * 1024),
  AEGIS_POLICY_MAX_TOTAL_BYTES: String(1024 * 1024 * 1024),
  AEGIS_POLICY_MAX_NODES_PER_FILE: String(100_000_000),
  AEGIS_POLICY_MAX_TOTAL_NODES: String(100_000_000),
};

async function aegisBuild(src: string, out: string, revision: string): Promise<void> {
  try {
    const env = { ...process.env, ...FLEET_POLICY_LIMITS };
    await run(join(REPO_ROOT, "bin", "aegis"), ["build", src, "-o", out, "--revision", revision], { maxBuffer: 16 * 1024 * 1024, env });
  } catch (err) {
    throw new AegisError("AEGIS_ERR_BENCH", `aegis build of ${src} failed: ${String((err as { stderr?: unknown }).stderr ?? err)}`, { cause: err });
  }
}

export interface ProbeSettings {
  readonly paramsBytes: number;
  readonly workers: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

/** One probe in a fresh Node process (bench/scale/probe.ts). */
export async function probeInChild(bundlePath: string, settings: ProbeSettings): Promise<ProbeResult> {
  const args = ["--disable-warning=ExperimentalWarning", join(REPO_ROOT, "bench", "scale", "probe.ts"), bundlePath, String(settings.paramsBytes), String(settings.workers), String(settings.warmupMs), String(settings.durationMs)];
  try {
    const { stdout } = await run(process.execPath, args, { maxBuffer: 1024 * 1024, timeout: 10 * 60_000 });
    return JSON.parse(stdout.trim().split("\n").pop() ?? "") as ProbeResult;
  } catch (err) {
    throw new AegisError("AEGIS_ERR_BENCH", `scale probe of ${bundlePath} failed: ${String((err as { stderr?: unknown }).stderr ?? err)}`, { cause: err });
  }
}

export interface ServedReload {
  readonly agents: number;
  /** From the file rename to the "bundle loaded" log line of the new revision. */
  readonly reloadMs: number;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  /** Checks at 1k/s before the swap. */
  readonly baseline: LatencySummary;
  /** Checks started from the rename until 1 s after the new revision went live. */
  readonly duringReload: LatencySummary;
  readonly errors: number;
  /** duringReload.max ÷ baseline.p99: the spike in-flight traffic saw. */
  readonly spikeOverBaselineP99: number;
}

export interface ServedReloadOptions {
  readonly bundle: ScaleBundle;
  readonly regoDir: string;
  readonly requestFile: string;
  readonly rate: number;
  /** Seconds of checks before the swap (the baseline). */
  readonly baselineS: number;
  /** Seconds of checks kept going after the swap starts; the new revision must load within them. */
  readonly tailS: number;
  readonly aegisWorkers?: number;
}

export async function servedReload(options: ServedReloadOptions): Promise<ServedReload> {
  const dir = await mkdtemp(join(tmpdir(), "aegis-scale-serve-"));
  const served = join(dir, "bundle.tar.gz");
  await copyFile(options.bundle.pathA, served);
  const fixture = await createServerFixture({
    bundlePath: served, bundle: await readBundle(await readFile(options.bundle.pathA)), regoDir: options.regoDir,
    ...(options.aegisWorkers === undefined ? {} : { aegisWorkers: options.aegisWorkers }),
  });
  const server = await fixture.start("aegis");
  try {
    await runGhz({ target: server.target, requestFile: options.requestFile, durationS: Math.min(2, options.baselineS), concurrency: 50, connections: 1, rps: options.rate });
    const rssBeforeBytes = sampleProcess(server.pid).rssBytes;
    const totalS = options.baselineS + options.tailS;
    const load = runGhz({ target: server.target, requestFile: options.requestFile, durationS: totalS, concurrency: 50, connections: 1, rps: options.rate, keepSamples: true });
    await new Promise((r) => setTimeout(r, options.baselineS * 1000));
    const staged = join(dir, "next.tar.gz");
    await copyFile(options.bundle.pathB, staged);
    const renamedAt = Date.now();
    await rename(staged, served);
    const loadedAt = await waitForRevision(server.output, `scale-${options.bundle.agents}-b`, options.tailS * 1000);
    const result = await load;
    const rssAfterBytes = sampleProcess(server.pid).rssBytes;
    const samples = result.samples ?? [];
    const baseline = summarize(samples.filter((s) => s.startMs < renamedAt - 500));
    const duringReload = summarize(samples.filter((s) => s.startMs >= renamedAt && s.startMs <= loadedAt + 1000));
    return {
      agents: options.bundle.agents,
      reloadMs: loadedAt - renamedAt,
      rssBeforeBytes,
      rssAfterBytes,
      baseline,
      duringReload,
      errors: result.errors,
      spikeOverBaselineP99: baseline.p99Ns === 0 ? 0 : duringReload.maxNs / baseline.p99Ns,
    };
  } finally {
    await server.stop();
    await fixture.remove();
    await rm(dir, { recursive: true, force: true });
  }
}

function summarize(samples: readonly GhzSample[]): LatencySummary {
  const recorder = createLatencyRecorder();
  for (const s of samples) if (s.ok) recorder.record(s.latencyNs);
  return recorder.summary();
}

/** Wall-clock ms of the "bundle loaded" log line for the revision (the log's own timestamp). */
async function waitForRevision(output: () => string, revision: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const line of output().split("\n")) {
      if (!line.includes('"bundle loaded"') || !line.includes(`"${revision}"`)) continue;
      const time = (JSON.parse(line) as { time?: string | number }).time;
      if (time !== undefined) return typeof time === "number" ? time : Date.parse(time);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new AegisError("AEGIS_ERR_BENCH", `aegis serve did not load revision ${revision} within ${timeoutMs / 1000} s:\n${output().slice(-2000)}`);
}

export interface SoakResult {
  readonly seconds: number;
  readonly rate: number;
  /** [seconds since start, RSS bytes] every sampleS seconds. */
  readonly rss: readonly (readonly [number, number])[];
  readonly rssAtMinuteOneBytes: number;
  readonly rssAtEndBytes: number;
  /** End ÷ minute one − 1. */
  readonly growth: number;
  readonly latency: LatencySummary;
  readonly errors: number;
}

export async function soak(options: { bundlePath: string; regoDir: string; requestFile: string; seconds: number; rate: number; aegisWorkers?: number }): Promise<SoakResult> {
  const fixture = await createServerFixture({
    bundlePath: options.bundlePath, bundle: await readBundle(await readFile(options.bundlePath)), regoDir: options.regoDir,
    ...(options.aegisWorkers === undefined ? {} : { aegisWorkers: options.aegisWorkers }),
  });
  const server = await fixture.start("aegis");
  const rss: [number, number][] = [];
  const started = Date.now();
  const timer = setInterval(() => rss.push([(Date.now() - started) / 1000, sampleProcess(server.pid).rssBytes]), 5_000);
  try {
    const result = await runGhz({ target: server.target, requestFile: options.requestFile, durationS: options.seconds, concurrency: 50, connections: 1, rps: options.rate });
    clearInterval(timer);
    rss.push([(Date.now() - started) / 1000, sampleProcess(server.pid).rssBytes]);
    const atMinuteOne = rss.find(([t]) => t >= 60)?.[1] ?? rss[0]?.[1] ?? 0;
    const atEnd = rss[rss.length - 1]?.[1] ?? 0;
    return { seconds: options.seconds, rate: options.rate, rss, rssAtMinuteOneBytes: atMinuteOne, rssAtEndBytes: atEnd, growth: atMinuteOne === 0 ? 0 : atEnd / atMinuteOne - 1, latency: result.latency, errors: result.errors };
  } finally {
    clearInterval(timer);
    await server.stop();
    await fixture.remove();
  }
}

/** A CheckRequest file like bench/grpc/check-request.json with a JSON body of about `bytes`. */
export async function requestWithBody(bytes: number, dir: string): Promise<string> {
  const base = JSON.parse(await readFile(join(REPO_ROOT, "bench", "grpc", "check-request.json"), "utf8")) as { attributes: { request: { http: Record<string, unknown> & { headers: Record<string, string> } } } };
  const body = JSON.stringify(paramsOfSize(bytes));
  const http = base.attributes.request.http;
  http["body"] = body;
  http["size"] = String(Buffer.byteLength(body));
  http.headers["content-length"] = String(Buffer.byteLength(body));
  await mkdir(dir, { recursive: true });
  const file = join(dir, `check-request-${bytes}.json`);
  await writeFile(file, JSON.stringify(base));
  return file;
}

export function medianProbe(results: readonly ProbeResult[]): ProbeResult {
  const of = (pick: (r: ProbeResult) => number) => median(results.map(pick));
  const first = results[0];
  if (first === undefined) throw new RangeError("no probe results");
  return {
    readMs: of((r) => r.readMs), engineMs: of((r) => r.engineMs), firstEvalMs: of((r) => r.firstEvalMs), loadMs: of((r) => r.loadMs),
    rssAfterLoadBytes: of((r) => r.rssAfterLoadBytes), rssAfterEvalBytes: of((r) => r.rssAfterEvalBytes), outcome: first.outcome,
    eval: {
      count: of((r) => r.eval.count), meanNs: of((r) => r.eval.meanNs), minNs: of((r) => r.eval.minNs), p50Ns: of((r) => r.eval.p50Ns),
      p90Ns: of((r) => r.eval.p90Ns), p99Ns: of((r) => r.eval.p99Ns), p999Ns: of((r) => r.eval.p999Ns), maxNs: of((r) => r.eval.maxNs),
    },
    opsPerSec: of((r) => r.opsPerSec),
  };
}
