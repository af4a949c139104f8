// ghz (a gRPC load generator someone else wrote) driving Authorization/Check, with latency
// percentiles computed from its per-request details so p99.9 is exact, not interpolated.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AegisError } from "../../src/errors/registry.ts";
import { createLatencyRecorder, type LatencySummary } from "../../src/bench/latency-histogram.ts";
import { type ProcessSample, sampleProcess } from "./proc-stat.ts";
import { benchTool, REPO_ROOT } from "./repo-paths.ts";

export const CHECK_METHOD = "envoy.service.auth.v3.Authorization.Check";

export interface GhzLoad {
  readonly target: string;
  /** A CheckRequest in protobuf JSON (camelCase) form. */
  readonly requestFile: string;
  readonly durationS: number;
  readonly concurrency: number;
  readonly connections: number;
  /** Requests per second; undefined for as fast as the server answers. */
  readonly rps?: number;
  readonly cpus?: string;
  /** Keep every request's start time and latency (for windows such as a reload). */
  readonly keepSamples?: boolean;
}

export interface GhzSample {
  readonly startMs: number;
  readonly latencyNs: number;
  readonly ok: boolean;
}

export interface GhzResult {
  readonly requests: number;
  readonly ok: number;
  /** Failed requests, not counting those ghz itself cut off when the duration ended. */
  readonly errors: number;
  /** In flight when ghz closed its connections at the end (at most `concurrency`); not errors of the server. */
  readonly cutOffAtEnd: number;
  readonly errorSamples: readonly string[];
  readonly rps: number;
  readonly latency: LatencySummary;
  /** CPU the load generator itself used (cores), to show how much it competed with the server. */
  readonly loadGeneratorCores: number;
  readonly samples?: readonly GhzSample[];
}

export interface GhzReport {
  count?: number;
  total?: number;
  rps?: number;
  statusCodeDistribution?: Record<string, number>;
  errorDistribution?: Record<string, number>;
  details?: { timestamp: string; latency: number; status: string; error: string }[];
}

export async function runGhz(load: GhzLoad): Promise<GhzResult> {
  const ghz = benchTool("ghz");
  const dir = await mkdtemp(join(tmpdir(), "aegis-ghz-"));
  const out = join(dir, "report.json");
  const args = [
    "--insecure",
    "--proto", join(REPO_ROOT, "proto", "envoy", "service", "auth", "v3", "external_auth.proto"),
    "--import-paths", join(REPO_ROOT, "proto"),
    "--call", CHECK_METHOD,
    "--data-file", load.requestFile,
    "--duration", `${load.durationS}s`,
    "--concurrency", String(load.concurrency),
    "--connections", String(load.connections),
    "--timeout", "10s",
    ...(load.rps === undefined ? [] : ["--rps", String(load.rps)]),
    "--format", "json",
    "--output", out,
    load.target,
  ];
  try {
    const cores = await runSampled(load.cpus === undefined ? ghz : "taskset", load.cpus === undefined ? args : ["-c", load.cpus, ghz, ...args]);
    const report = JSON.parse(await readFile(out, "utf8")) as GhzReport;
    const result = summarizeGhzReport(report, cores, load.concurrency);
    if (load.keepSamples !== true) return result;
    const samples = (report.details ?? []).map((d) => ({ startMs: Date.parse(d.timestamp), latencyNs: d.latency, ok: d.status === "OK" && d.error === "" }));
    return { ...result, samples };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// What ghz reports for calls still in flight when it stops at the end of --duration.
const CUT_OFF = /use of closed network connection|the client connection is closing/;

export function summarizeGhzReport(report: GhzReport, loadGeneratorCores: number, concurrency: number): GhzResult {
  const recorder = createLatencyRecorder();
  const details = report.details ?? [];
  let ok = 0;
  let cutOff = 0;
  for (const d of details) {
    if (d.status === "OK" && d.error === "") {
      ok++;
      recorder.record(d.latency);
    } else if (CUT_OFF.test(d.error)) {
      cutOff++;
    }
  }
  const requests = report.count ?? details.length;
  const cutOffAtEnd = Math.min(cutOff, concurrency);
  return {
    requests,
    ok,
    errors: requests - ok - cutOffAtEnd,
    cutOffAtEnd,
    errorSamples: Object.entries(report.errorDistribution ?? {}).slice(0, 3).map(([message, n]) => `${n}× ${message}`),
    rps: report.rps ?? 0,
    latency: recorder.summary(),
    loadGeneratorCores,
  };
}

/** Runs the command to completion; returns the cores it used (sampled from /proc while it ran). */
function runSampled(command: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    let first: ProcessSample | null = null;
    let last: ProcessSample | null = null;
    const sample = () => {
      if (child.pid === undefined) return;
      try {
        last = sampleProcess(child.pid);
        first ??= last;
      } catch {
        // the process just exited; keep the last sample
      }
    };
    sample();
    const timer = setInterval(sample, 250);
    child.once("error", (err) => {
      clearInterval(timer);
      reject(new AegisError("AEGIS_ERR_BENCH", `cannot run ${command}: ${err.message}`, { cause: err }));
    });
    child.once("exit", (code) => {
      clearInterval(timer);
      if (code !== 0) return reject(new AegisError("AEGIS_ERR_BENCH", `ghz exited with ${code}: ${stderr.slice(-2000)}`));
      const a = first as ProcessSample | null;
      const b = last as ProcessSample | null;
      resolve(a === null || b === null || b.atNs === a.atNs ? 0 : (b.cpuSeconds - a.cpuSeconds) / (Number(b.atNs - a.atNs) / 1e9));
    });
  });
}
