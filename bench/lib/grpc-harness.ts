// Harness 2: Authorization/Check under ghz load against the no-op floor, Aegis and the OPA-Envoy
// peer (the real plugin, or its stand-in), one server at a time on the same machine with the same
// request. Each run measures every server (in rotated order) at each constant rate and at max
// throughput; ratios are taken within a run, then medians across runs.
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
  /** A request every deciding server must deny the same way (checked once, never loaded). */
  readonly deniedRequestFile?: string;
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
  /** Which implementation produced the figures (see CheckServer.peer). */
  readonly peer: string;
  readonly phase: string;
  readonly ghz: GhzResult;
  readonly serverCores: number;
  /** Server CPU (user + system, every thread, from /proc) per answered Check, in µs. */
  readonly serverCpuUsPerCheck: number | null;
  readonly serverRssBytes: number;
}

export interface PhaseMedian {
  readonly server: ServerName;
  readonly peer: string;
  readonly phase: string;
  readonly rps: number;
  readonly p50Ns: number;
  readonly p99Ns: number;
  readonly p999Ns: number;
  readonly maxNs: number;
  readonly errors: number;
  readonly requests: number;
  readonly serverCores: number;
  readonly serverCpuUsPerCheck: number | null;
  readonly serverRssBytes: number;
  readonly loadGeneratorCores: number;
}

export interface GrpcRatios {
  readonly aegisOverOpaEnvoyMaxRps: number | null;
  readonly aegisOverNoopMaxRps: number | null;
  readonly aegisOverOpaEnvoyP99At1k: number | null;
  readonly aegisOverNoopP99At1k: number | null;
  /** Server CPU per Check at max throughput. */
  readonly aegisOverOpaEnvoyCpuPerCheck: number | null;
  readonly aegisOverNoopCpuPerCheck: number | null;
}

export interface GrpcHarnessResult {
  /** Server name → which implementation answered as that server. */
  readonly peers: Readonly<Partial<Record<ServerName, string>>>;
  readonly answers: Readonly<Partial<Record<ServerName, CheckAnswer>>>;
  readonly deniedAnswers: Readonly<Partial<Record<ServerName, CheckAnswer>>>;
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
  const peers: Partial<Record<ServerName, string>> = {};
  const answers: Partial<Record<ServerName, CheckAnswer>> = {};
  const deniedAnswers: Partial<Record<ServerName, CheckAnswer>> = {};
  const runs: PhaseResult[][] = [];
  try {
    for (let run = 0; run < options.runs; run++) {
      const results: PhaseResult[] = [];
      for (const name of rotate(options.servers, run)) {
        say(`run ${run + 1}/${options.runs}: ${name}`);
        const server = await fixture.start(name);
        try {
          peers[name] = server.peer;
          if (answers[name] === undefined) answers[name] = await checkOnce(server.target, options.requestFile);
          if (options.deniedRequestFile !== undefined && deniedAnswers[name] === undefined) deniedAnswers[name] = await checkOnce(server.target, options.deniedRequestFile);
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
  assertSameAnswers(answers, "benchmark");
  if (options.deniedRequestFile !== undefined) assertSameAnswers(deniedAnswers, "denied", "denied");
  const ratiosPerRun = runs.map(ratiosOf);
  return { peers, answers, deniedAnswers, runs, medians: medians(runs), ratiosPerRun, ratios: medianRatios(ratiosPerRun) };
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
  const answered = ghz.requests - ghz.cutOffAtEnd;
  const serverCpuUsPerCheck = answered > 0 ? ((after.cpuSeconds - before.cpuSeconds) * 1e6) / answered : null;
  const result = { server: server.name as ServerName, peer: server.peer, phase, ghz, serverCores: coresUsed(before, after), serverCpuUsPerCheck, serverRssBytes: after.rssBytes };
  say(`  ${server.name} ${phase}: ${ghz.rps.toFixed(0)} req/s, p99 ${(ghz.latency.p99Ns / 1e6).toFixed(2)} ms, errors ${ghz.errors}, server ${result.serverCores.toFixed(2)} cores, ${serverCpuUsPerCheck?.toFixed(0) ?? "n/a"} µs CPU per check`);
  return result;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const n = items.length;
  return n === 0 ? [] : items.map((_, i) => items[(i + by) % n] as T);
}

/**
 * The deciding servers (the no-op allows everything) agree on allow or deny, the HTTP status and,
 * for a denial, the reason and rule id in its JSON body (Aegis adds a decision id, the peers not).
 */
function assertSameAnswers(answers: Partial<Record<ServerName, CheckAnswer>>, request: string, expected?: CheckAnswer["kind"]): void {
  const entries = Object.entries(answers).filter(([name]) => name !== "noop").map(([name, a]) => [name, outcomeOf(a)] as const);
  if (new Set(entries.map(([, o]) => o)).size > 1 || (expected !== undefined && entries.some(([, o]) => !o.startsWith(expected)))) {
    throw new AegisError("AEGIS_ERR_BENCH", `the servers answer the ${request} request differently${expected === undefined ? "" : ` (expected ${expected})`}: ${entries.map(([n, o]) => `${n}=${o}`).join(", ")}`);
  }
}

function outcomeOf(answer: CheckAnswer): string {
  let why = "";
  try {
    const body = JSON.parse(answer.body) as { reason?: unknown; rule_id?: unknown };
    why = ` ${String(body.reason)} ${String(body.rule_id)}`;
  } catch {
    // not a JSON body (an allow, or a plain-text denial): kind and status decide
  }
  return `${answer.kind}${answer.httpStatus === null ? "" : ` ${answer.httpStatus}`}${why}`;
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
    const cpuPerCheck = group.map((r) => r.serverCpuUsPerCheck).filter((v): v is number => v !== null);
    return {
      server: first.server,
      peer: first.peer,
      phase: first.phase,
      rps: of((r) => r.ghz.rps),
      p50Ns: of((r) => r.ghz.latency.p50Ns),
      p99Ns: of((r) => r.ghz.latency.p99Ns),
      p999Ns: of((r) => r.ghz.latency.p999Ns),
      maxNs: of((r) => r.ghz.latency.maxNs),
      errors: group.reduce((sum, r) => sum + r.ghz.errors, 0),
      requests: group.reduce((sum, r) => sum + r.ghz.requests, 0),
      serverCores: of((r) => r.serverCores),
      serverCpuUsPerCheck: cpuPerCheck.length === 0 ? null : median(cpuPerCheck),
      serverRssBytes: of((r) => r.serverRssBytes),
      loadGeneratorCores: of((r) => r.ghz.loadGeneratorCores),
    };
  });
}

function ratiosOf(run: readonly PhaseResult[]): GrpcRatios {
  const find = (server: ServerName, phase: string) => run.find((r) => r.server === server && r.phase === phase);
  const ratio = (a: number | null | undefined, b: number | null | undefined) => (a == null || b == null || b === 0 ? null : a / b);
  const p99At1k = (server: ServerName) => find(server, ratePhase(1000))?.ghz.latency.p99Ns;
  const cpuAtMax = (server: ServerName) => find(server, MAX_PHASE)?.serverCpuUsPerCheck;
  return {
    aegisOverOpaEnvoyMaxRps: ratio(find("aegis", MAX_PHASE)?.ghz.rps, find("opa-envoy", MAX_PHASE)?.ghz.rps),
    aegisOverNoopMaxRps: ratio(find("aegis", MAX_PHASE)?.ghz.rps, find("noop", MAX_PHASE)?.ghz.rps),
    aegisOverOpaEnvoyP99At1k: ratio(p99At1k("aegis"), p99At1k("opa-envoy")),
    aegisOverNoopP99At1k: ratio(p99At1k("aegis"), p99At1k("noop")),
    aegisOverOpaEnvoyCpuPerCheck: ratio(cpuAtMax("aegis"), cpuAtMax("opa-envoy")),
    aegisOverNoopCpuPerCheck: ratio(cpuAtMax("aegis"), cpuAtMax("noop")),
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
    aegisOverNoopP99At1k: of((r) => r.aegisOverNoopP99At1k),
    aegisOverOpaEnvoyCpuPerCheck: of((r) => r.aegisOverOpaEnvoyCpuPerCheck),
    aegisOverNoopCpuPerCheck: of((r) => r.aegisOverNoopCpuPerCheck),
  };
}
