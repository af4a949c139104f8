// Harness 3: HTTP calls end to end at a constant rate (vegeta): to the upstream alone, through
// Envoy without ext_authz, and through Envoy asking an ext_authz server (Aegis; the OPA-Envoy
// peer: the real plugin when setup built it, else its stand-in; optionally the no-op floor). The hop the authorization adds is the difference
// between Envoy with and without ext_authz, taken within each run, median across runs.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { BundleContents } from "../../src/bundle/read.ts";
import { AegisError } from "../../src/errors/registry.ts";
import { type CheckServer, createServerFixture, type ServerFixture, type ServerName } from "./check-servers.ts";
import { envoyConfig } from "./envoy-config.ts";
import { freePort } from "./free-port.ts";
import { benchTool, REPO_ROOT } from "./repo-paths.ts";
import { type RunningServer, startServer } from "./server-process.ts";
import { median } from "../../src/bench/stats.ts";
import { type HttpTarget, runVegeta, type VegetaResult } from "./vegeta.ts";

export const ENVOY_MODES = ["upstream", "envoy", "envoy+noop", "envoy+aegis", "envoy+opa-envoy", "envoy+opa-envoy-stand-in", "envoy+aegis+ext_proc", "envoy+aegis+ext_proc+response"] as const;
export type EnvoyMode = (typeof ENVOY_MODES)[number];

export interface EnvoyHarnessOptions {
  readonly bundlePath: string;
  readonly bundle: BundleContents;
  readonly regoDir: string;
  readonly modes: readonly EnvoyMode[];
  readonly rates: readonly number[];
  readonly durationS: number;
  readonly warmupS: number;
  readonly runs: number;
  readonly envoyConcurrency: number;
  readonly aegisWorkers?: number;
  readonly aegisNodeOptions?: string;
  /** The agent's call; its Host picks the Envoy route (and so the context_extensions). */
  readonly request: Omit<HttpTarget, "url"> & { readonly path: string };
  /** Another call for some paths (bench/extproc: an agent whose results ext_proc reads). */
  readonly requestFor?: Partial<Record<EnvoyMode, Omit<HttpTarget, "url"> & { readonly path: string }>>;
  readonly progress?: (line: string) => void;
}

export interface EnvoyPhase {
  readonly mode: EnvoyMode;
  /** Which ext_authz implementation answered (see CheckServer.peer); null without ext_authz. */
  readonly peer: string | null;
  readonly rate: number;
  readonly result: VegetaResult;
}

export interface EnvoyMedian {
  readonly mode: EnvoyMode;
  readonly peer: string | null;
  readonly rate: number;
  readonly rps: number;
  readonly p50Ns: number;
  readonly p90Ns: number;
  readonly p99Ns: number;
  readonly p999Ns: number;
  readonly maxNs: number;
  readonly errors: number;
  readonly requests: number;
}

export interface HopLatency {
  readonly mode: EnvoyMode;
  readonly peer: string | null;
  readonly rate: number;
  /** (Envoy + ext_authz) − (Envoy alone), medians across runs of the per-run difference. */
  readonly p50Ns: number;
  readonly p99Ns: number;
  readonly p999Ns: number;
}

export interface EnvoyHarnessResult {
  readonly runs: readonly (readonly EnvoyPhase[])[];
  readonly medians: readonly EnvoyMedian[];
  readonly hops: readonly HopLatency[];
}

const AUTHZ_SERVER: Partial<Record<EnvoyMode, ServerName>> = {
  "envoy+noop": "noop", "envoy+aegis": "aegis", "envoy+opa-envoy": "opa-envoy", "envoy+opa-envoy-stand-in": "opa-envoy-stand-in", "envoy+aegis+ext_proc": "aegis", "envoy+aegis+ext_proc+response": "aegis",
};
const WITH_EXT_PROC: readonly EnvoyMode[] = ["envoy+aegis+ext_proc", "envoy+aegis+ext_proc+response"];

export async function runEnvoyHarness(options: EnvoyHarnessOptions): Promise<EnvoyHarnessResult> {
  const say = options.progress ?? (() => {});
  const fixture = await createServerFixture({
    bundlePath: options.bundlePath, bundle: options.bundle, regoDir: options.regoDir,
    ...(options.aegisWorkers === undefined ? {} : { aegisWorkers: options.aegisWorkers }),
    ...(options.aegisNodeOptions === undefined ? {} : { aegisNodeOptions: options.aegisNodeOptions }),
  });
  const dir = await mkdtemp(join(tmpdir(), "aegis-bench-envoy-"));
  const upstreamPort = await freePort();
  const upstream = await startServer({
    name: "upstream", command: process.execPath,
    args: ["--disable-warning=ExperimentalWarning", join(REPO_ROOT, "bench", "envoy", "upstream.ts"), `127.0.0.1:${upstreamPort}`],
    ready: { kind: "stdout", pattern: /^listening /m },
  });
  const runs: EnvoyPhase[][] = [];
  try {
    for (let run = 0; run < options.runs; run++) {
      const phases: EnvoyPhase[] = [];
      for (const mode of options.modes) {
        say(`run ${run + 1}/${options.runs}: ${mode}`);
        const stack = await startStack(mode, { fixture, upstreamPort, dir, envoyConcurrency: options.envoyConcurrency, index: run });
        try {
          const request = options.requestFor?.[mode] ?? options.request;
          const target = { ...request, url: `http://127.0.0.1:${stack.port}${request.path}` };
          await runVegeta({ target, rate: options.rates[0] ?? 1000, durationS: options.warmupS, expectStatus: 200 });
          for (const rate of options.rates) {
            const result = await runVegeta({ target, rate, durationS: options.durationS, expectStatus: 200 });
            if (result.ok === 0) throw new AegisError("AEGIS_ERR_BENCH", `${mode}: no call succeeded (${result.errorSamples.join("; ")})`);
            say(`  ${mode} ${rate}/s: p50 ${(result.latency.p50Ns / 1e6).toFixed(2)} ms, p99 ${(result.latency.p99Ns / 1e6).toFixed(2)} ms, errors ${result.errors}`);
            phases.push({ mode, peer: stack.peer, rate, result });
          }
        } finally {
          await stack.stop();
        }
      }
      runs.push(phases);
    }
  } finally {
    await upstream.stop();
    await fixture.remove();
    await rm(dir, { recursive: true, force: true });
  }
  return { runs, medians: medians(runs), hops: hops(runs, options) };
}

interface Stack {
  readonly port: number;
  readonly peer: string | null;
  stop(): Promise<void>;
}

async function startStack(
  mode: EnvoyMode,
  ctx: { fixture: ServerFixture; upstreamPort: number; dir: string; envoyConcurrency: number; index: number },
): Promise<Stack> {
  if (mode === "upstream") return { port: ctx.upstreamPort, peer: null, stop: async () => {} };
  const serverName = AUTHZ_SERVER[mode];
  const authz: CheckServer | null = serverName === undefined ? null : await ctx.fixture.start(serverName);
  let envoy: RunningServer;
  const listenPort = await freePort();
  try {
    const adminPort = await freePort();
    const configPath = join(ctx.dir, `envoy-${mode}-${ctx.index}.yaml`);
    await writeFile(configPath, stringify(envoyConfig({ listenPort, adminPort, upstreamPort: ctx.upstreamPort, authzPort: authz?.grpcPort ?? null, extProc: WITH_EXT_PROC.includes(mode) })));
    envoy = await startServer({
      name: `envoy (${mode})`,
      command: benchTool("envoy"),
      args: ["-c", configPath, "--use-dynamic-base-id", "--log-level", "warn", "--concurrency", String(ctx.envoyConcurrency)],
      ready: { kind: "http", url: `http://127.0.0.1:${adminPort}/ready` },
    });
  } catch (err) {
    await authz?.stop();
    throw err;
  }
  return {
    port: listenPort,
    peer: authz?.peer ?? null,
    async stop() {
      await envoy.stop();
      await authz?.stop();
    },
  };
}

function medians(runs: readonly (readonly EnvoyPhase[])[]): EnvoyMedian[] {
  const groups = new Map<string, EnvoyPhase[]>();
  for (const p of runs.flat()) groups.set(`${p.mode}@${p.rate}`, [...(groups.get(`${p.mode}@${p.rate}`) ?? []), p]);
  return [...groups.values()].map((group) => {
    const first = group[0] as EnvoyPhase;
    const of = (pick: (p: EnvoyPhase) => number) => median(group.map(pick));
    return {
      mode: first.mode, peer: first.peer, rate: first.rate,
      rps: of((p) => p.result.rps),
      p50Ns: of((p) => p.result.latency.p50Ns),
      p90Ns: of((p) => p.result.latency.p90Ns),
      p99Ns: of((p) => p.result.latency.p99Ns),
      p999Ns: of((p) => p.result.latency.p999Ns),
      maxNs: of((p) => p.result.latency.maxNs),
      errors: group.reduce((s, p) => s + p.result.errors, 0),
      requests: group.reduce((s, p) => s + p.result.requests, 0),
    };
  });
}

function hops(runs: readonly (readonly EnvoyPhase[])[], options: EnvoyHarnessOptions): HopLatency[] {
  if (!options.modes.includes("envoy")) return [];
  const out: HopLatency[] = [];
  for (const mode of options.modes.filter((m) => AUTHZ_SERVER[m] !== undefined)) {
    for (const rate of options.rates) {
      const diffs = runs.flatMap((phases) => {
        const withAuthz = phases.find((p) => p.mode === mode && p.rate === rate)?.result.latency;
        const without = phases.find((p) => p.mode === "envoy" && p.rate === rate)?.result.latency;
        return withAuthz === undefined || without === undefined ? [] : [{ p50: withAuthz.p50Ns - without.p50Ns, p99: withAuthz.p99Ns - without.p99Ns, p999: withAuthz.p999Ns - without.p999Ns }];
      });
      const peer = runs.flat().find((p) => p.mode === mode)?.peer ?? null;
      if (diffs.length > 0) out.push({ mode, peer, rate, p50Ns: median(diffs.map((d) => d.p50)), p99Ns: median(diffs.map((d) => d.p99)), p999Ns: median(diffs.map((d) => d.p999)) });
    }
  }
  return out;
}
