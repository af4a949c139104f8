// Harness 5: what `decision_log.durability: sync` costs. `aegis serve` with a file decision log,
// once per mode (buffered, sync), one at a time on the same machine, under the same ghz load: a
// constant rate (latency at a load both modes sustain) and as fast as it answers (throughput).
// Modes alternate order across runs; ratios (sync / buffered) are taken within a run, then the
// median across runs.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { freePort } from "./free-port.ts";
import { type GhzResult, runGhz } from "./ghz.ts";
import { REPO_ROOT } from "./repo-paths.ts";
import { startServer } from "./server-process.ts";
import { median } from "../../src/bench/stats.ts";

export const DURABILITY_MODES = ["buffered", "sync"] as const;
export type DurabilityMode = (typeof DURABILITY_MODES)[number];

export interface DurabilityHarnessOptions {
  readonly bundlePath: string;
  readonly requestFile: string;
  /** Constant-rate phase, requests per second. */
  readonly rate: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly runs: number;
  readonly concurrency: number;
  readonly connections: number;
  readonly progress?: (line: string) => void;
}

export interface DurabilityPhase {
  readonly mode: DurabilityMode;
  readonly phase: string;
  readonly rps: number;
  readonly p50Ns: number;
  readonly p99Ns: number;
  readonly errors: number;
  readonly requests: number;
  /** Decision records in the log after the run (each answered check writes one). */
  readonly logged: number;
}

export interface DurabilityRatios {
  readonly maxRps: number | null;
  readonly p50AtRate: number | null;
  readonly p99AtRate: number | null;
  readonly p50AtMax: number | null;
  readonly p99AtMax: number | null;
}

export interface DurabilityHarnessResult {
  readonly runs: readonly (readonly DurabilityPhase[])[];
  readonly medians: readonly DurabilityPhase[];
  readonly ratiosPerRun: readonly DurabilityRatios[];
  /** Medians of the per-run ratios, sync over buffered. */
  readonly ratios: DurabilityRatios;
}

export const MAX_PHASE = "max";

export async function runDurabilityHarness(options: DurabilityHarnessOptions): Promise<DurabilityHarnessResult> {
  const say = options.progress ?? (() => {});
  const root = await mkdtemp(join(tmpdir(), "aegis-bench-durability-"));
  const runs: DurabilityPhase[][] = [];
  try {
    for (let run = 0; run < options.runs; run++) {
      const order = run % 2 === 0 ? DURABILITY_MODES : [...DURABILITY_MODES].reverse();
      const phases: DurabilityPhase[] = [];
      for (const mode of order) {
        say(`run ${run + 1}/${options.runs}: ${mode}`);
        phases.push(...(await measureMode(mode, join(root, `${run}-${mode}`), options)));
      }
      runs.push(phases);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  const medians = DURABILITY_MODES.flatMap((mode) => [`${options.rate}/s`, MAX_PHASE].map((phase) => {
    const of = runs.map((r) => r.find((p) => p.mode === mode && p.phase === phase)).filter((p): p is DurabilityPhase => p !== undefined);
    return {
      mode, phase, rps: median(of.map((p) => p.rps)), p50Ns: median(of.map((p) => p.p50Ns)), p99Ns: median(of.map((p) => p.p99Ns)),
      errors: of.reduce((n, p) => n + p.errors, 0), requests: of.reduce((n, p) => n + p.requests, 0), logged: of.reduce((n, p) => n + p.logged, 0),
    };
  }));
  const ratiosPerRun = runs.map((r) => ratiosOf(r, `${options.rate}/s`));
  const med = (pick: (r: DurabilityRatios) => number | null) => {
    const values = ratiosPerRun.map(pick).filter((v): v is number => v !== null);
    return values.length === 0 ? null : median(values);
  };
  return {
    runs, medians, ratiosPerRun,
    ratios: { maxRps: med((r) => r.maxRps), p50AtRate: med((r) => r.p50AtRate), p99AtRate: med((r) => r.p99AtRate), p50AtMax: med((r) => r.p50AtMax), p99AtMax: med((r) => r.p99AtMax) },
  };
}

function ratiosOf(phases: readonly DurabilityPhase[], ratePhase: string): DurabilityRatios {
  const get = (mode: DurabilityMode, phase: string) => phases.find((p) => p.mode === mode && p.phase === phase);
  const ratio = (phase: string, pick: (p: DurabilityPhase) => number) => {
    const sync = get("sync", phase);
    const buffered = get("buffered", phase);
    return sync === undefined || buffered === undefined || pick(buffered) === 0 ? null : pick(sync) / pick(buffered);
  };
  return {
    maxRps: ratio(MAX_PHASE, (p) => p.rps),
    p50AtRate: ratio(ratePhase, (p) => p.p50Ns), p99AtRate: ratio(ratePhase, (p) => p.p99Ns),
    p50AtMax: ratio(MAX_PHASE, (p) => p.p50Ns), p99AtMax: ratio(MAX_PHASE, (p) => p.p99Ns),
  };
}

async function measureMode(mode: DurabilityMode, dir: string, options: DurabilityHarnessOptions): Promise<DurabilityPhase[]> {
  await mkdir(dir, { recursive: true });
  const log = join(dir, "decisions.log");
  const config = join(dir, "aegis.yaml");
  await writeFile(config, stringify({ decision_log: { path: log, durability: mode } }));
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const target = `127.0.0.1:${grpcPort}`;
  const server = await startServer({
    name: `aegis (${mode})`,
    command: join(REPO_ROOT, "bin", "aegis"),
    args: ["serve", "--bundle", options.bundlePath, "--config", config, "--grpc-addr", target, "--http-addr", `127.0.0.1:${httpPort}`, "--state", `sqlite:${join(dir, "state.db")}`],
    env: { AEGIS_TRUST_IDENTITY_HEADERS: "true" },
    cwd: dir,
    ready: { kind: "http", url: `http://127.0.0.1:${httpPort}/readyz` },
  });
  const phases: DurabilityPhase[] = [];
  try {
    const load = { target, requestFile: options.requestFile, concurrency: options.concurrency, connections: options.connections };
    await runGhz({ ...load, durationS: options.warmupS });
    const before = await decisionLines(log);
    const atRate = await runGhz({ ...load, durationS: options.durationS, rps: options.rate });
    const afterRate = await decisionLines(log);
    const atMax = await runGhz({ ...load, durationS: options.durationS });
    await server.stop();
    const afterMax = await decisionLines(log);
    phases.push(phase(mode, `${options.rate}/s`, atRate, afterRate - before), phase(mode, MAX_PHASE, atMax, afterMax - afterRate));
  } finally {
    await server.stop();
  }
  return phases;
}

function phase(mode: DurabilityMode, name: string, ghz: GhzResult, logged: number): DurabilityPhase {
  return { mode, phase: name, rps: ghz.rps, p50Ns: ghz.latency.p50Ns, p99Ns: ghz.latency.p99Ns, errors: ghz.errors, requests: ghz.requests, logged };
}

async function decisionLines(log: string): Promise<number> {
  const text = await readFile(log, "utf8").catch(() => "");
  let n = 0;
  for (const line of text.split("\n")) if (line.includes('"type":"decision"')) n++;
  return n;
}
