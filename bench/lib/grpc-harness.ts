// Harness 2: Authorization/Check under ghz load against the no-op floor, Aegis and the OPA-Envoy
// stand-in, one server at a time on the same machine with the same request. Each run measures
// every server (in rotated order) at each constant rate and at max throughput; ratios are taken
// within a run, then medians across runs.
import type { BundleContents } from "../../src/bundle/read.ts";
import { AegisError } from "../../src/errors/registry.ts";
import { type CheckAnswer, checkOnce } from "./check-client.ts";
import { type CheckServer, createServerFixture, type ServerName } from "./check-servers.ts";
import { type GhzResult, runGhz } from "./ghz.ts";
import { coresUsed, sampleProcess } from "./proc-stat.ts";
import { median } from "../../src/bench/stats.ts";

export interface GrpcHarnessOptions {
  readonly bundlePath: string;
  readonly bundle: BundleContents;
  readonly regoDir: string;
  readonly requestFile: string;
  readonly servers: readonly ServerName[];
  /** Constant-rate phases, requests per second. */
  readonly rates: readonly number[];
  readonly max: boolean;
  readonly durationS: number;
  readonly warmupS: number;
  readonly runs: number;
  readonly concurrency: number;
  readonly connections: number;
  readonly aegisWorkers?: number;
  readonly aegisNodeOptions?: string;
  /** taskset CPU lists: keep servers and ghz on separate cores when both are given. */
  readonly serverCpus?: string;
  readonly loadCpus?: string;
  readonly progress?: (line: string) => void;
}

export interface PhaseResult {
  readonly server: ServerName;
  readonly phase: string;
  readonly ghz: GhzResult;
  readonly serverCores: number;
  readonly serverRssBytes: number;
}

export interface PhaseMedian {
  readonly server: ServerName;
  readonly phase: string;
  readonly rps: number;
  readonly p50Ns: number;
  readonly p99Ns: number;
  readonly p999Ns: number;
  readonly maxNs: number;
  readonly errors: number;
  readonly requests: number;
  readonly serverCores: number;
  readonly serverRssBytes: number;
  readonly loadGeneratorCores: number;
}

export interface GrpcRatios {
  readonly aegisOverOpaEnvoyMaxRps: number | null;
  readonly aegisOverNoopMaxRps: number | null;
  readonly aegisOverOpaEnvoyP99At1k: number | null;
}

export interface GrpcHarnessResult {
  readonly answers: Readonly<Partial<Record<ServerName, CheckAnswer>>>;
  readonly runs: readonly (readonly PhaseResult[])[];
  readonly medians: readonly PhaseMedian[];
  readonly ratiosPerRun: readonly GrpcRatios[];
  readonly ratios: GrpcRatios;
}

export const MAX_PHASE = "max";

export function ratePhase(rps: number): string {
  return `${rps}/s`;
}

export async function runGrpcHarness(options: GrpcHarnessOptions): Promise<GrpcHarnessResult> {
  const say = options.progress ?? (() => {});
  const fixture = await createServerFixture({
    bundlePath: options.bundlePath,
    bundle: options.bundle,
    regoDir: options.regoDir,
    ...(options.aegisWorkers === undefined ? {} : { aegisWorkers: options.aegisWorkers }),
    ...(options.aegisNodeOptions === undefined ? {} : { aegisNodeOptions: options.aegisNodeOptions }),
    ...(options.serverCpus === undefined ? {} : { cpus: options.serverCpus }),
  });
  const answers: Partial<Record<ServerName, CheckAnswer>> = {};
  const runs: PhaseResult[][] = [];
  try {
    for (let run = 0; run < options.runs; run++) {
      const results: PhaseResult[] = [];
      for (const name of rotate(options.servers, run)) {
        say(`run ${run + 1}/${options.runs}: ${name}`);
        const server = await fixture.start(name);
        try {
          if (answers[name] === undefined) answers[name] = await checkOnce(server.target, options.requestFile);
          await load(server, options, undefined, options.warmupS);
          for (const rps of options.rates) results.push(await measure(server, options, ratePhase(rps), rps, say));
          if (options.max) results.push(await measure(server, options, MAX_PHASE, undefined, say));
        } catch (err) {
          throw new AegisError("AEGIS_ERR_BENCH", `${name}: ${(err as Error).message}\n${server.output().slice(-2000)}`, { cause: err });
        } finally {
          await server.stop();
        }
      }
      runs.push(results);
    }
  } finally {
    await fixture.remove();
  }
  assertSameAnswers(answers);
  const ratiosPerRun = runs.map(ratiosOf);
  return { answers, runs, medians: medians(runs), ratiosPerRun, ratios: medianRatios(ratiosPerRun) };
}

function load(server: CheckServer, options: GrpcHarnessOptions, rps: number | undefined, durationS: number): Promise<GhzResult> {
  return runGhz({
    target: server.target,
    requestFile: options.requestFile,
    durationS,
    concurrency: options.concurrency,
    connections: options.connections,
    ...(rps === undefined ? {} : { rps }),
    ...(options.loadCpus === undefined ? {} : { cpus: options.loadCpus }),
  });
}

async function measure(server: CheckServer, options: GrpcHarnessOptions, phase: string, rps: number | undefined, say: (line: string) => void): Promise<PhaseResult> {
  const before = sampleProcess(server.pid);
  const ghz = await load(server, options, rps, options.durationS);
  const after = sampleProcess(server.pid);
  const result = { server: server.name as ServerName, phase, ghz, serverCores: coresUsed(before, after), serverRssBytes: after.rssBytes };
  say(`  ${server.name} ${phase}: ${ghz.rps.toFixed(0)} req/s, p99 ${(ghz.latency.p99Ns / 1e6).toFixed(2)} ms, errors ${ghz.errors}, server ${result.serverCores.toFixed(2)} cores`);
  return result;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const n = items.length;
  return n === 0 ? [] : items.map((_, i) => items[(i + by) % n] as T);
}

function assertSameAnswers(answers: Partial<Record<ServerName, CheckAnswer>>): void {
  const entries = Object.entries(answers).filter(([name]) => name !== "noop");
  const kinds = new Set(entries.map(([, a]) => a.kind));
  if (kinds.size > 1) {
    throw new AegisError("AEGIS_ERR_BENCH", `the servers answer the benchmark request differently: ${entries.map(([n, a]) => `${n}=${a.kind}`).join(", ")}`);
  }
}

function medians(runs: readonly (readonly PhaseResult[])[]): PhaseMedian[] {
  const groups = new Map<string, PhaseResult[]>();
  for (const r of runs.flat()) {
    const key = `${r.server}\u0000${r.phase}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0] as PhaseResult;
    const of = (pick: (r: PhaseResult) => number) => median(group.map(pick));
    return {
      server: first.server,
      phase: first.phase,
      rps: of((r) => r.ghz.rps),
      p50Ns: of((r) => r.ghz.latency.p50Ns),
      p99Ns: of((r) => r.ghz.latency.p99Ns),
      p999Ns: of((r) => r.ghz.latency.p999Ns),
      maxNs: of((r) => r.ghz.latency.maxNs),
      errors: group.reduce((sum, r) => sum + r.ghz.errors, 0),
      requests: group.reduce((sum, r) => sum + r.ghz.requests, 0),
      serverCores: of((r) => r.serverCores),
      serverRssBytes: of((r) => r.serverRssBytes),
      loadGeneratorCores: of((r) => r.ghz.loadGeneratorCores),
    };
  });
}

function ratiosOf(run: readonly PhaseResult[]): GrpcRatios {
  const find = (server: ServerName, phase: string) => run.find((r) => r.server === server && r.phase === phase);
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? null : a / b);
  return {
    aegisOverOpaEnvoyMaxRps: ratio(find("aegis", MAX_PHASE)?.ghz.rps, find("opa-envoy", MAX_PHASE)?.ghz.rps),
    aegisOverNoopMaxRps: ratio(find("aegis", MAX_PHASE)?.ghz.rps, find("noop", MAX_PHASE)?.ghz.rps),
    aegisOverOpaEnvoyP99At1k: ratio(find("aegis", ratePhase(1000))?.ghz.latency.p99Ns, find("opa-envoy", ratePhase(1000))?.ghz.latency.p99Ns),
  };
}

function medianRatios(perRun: readonly GrpcRatios[]): GrpcRatios {
  const of = (pick: (r: GrpcRatios) => number | null) => {
    const values = perRun.map(pick).filter((v): v is number => v !== null);
    return values.length === 0 ? null : median(values);
  };
  return {
    aegisOverOpaEnvoyMaxRps: of((r) => r.aegisOverOpaEnvoyMaxRps),
    aegisOverNoopMaxRps: of((r) => r.aegisOverNoopMaxRps),
    aegisOverOpaEnvoyP99At1k: of((r) => r.aegisOverOpaEnvoyP99At1k),
  };
}
