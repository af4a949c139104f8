// vegeta (an HTTP load generator someone else wrote) at a constant rate — an open model, so a
// slow response never delays the next request and tail latency is not hidden (no coordinated
// omission). Latencies come from every result, so p99.9 is exact.
import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { AegisError } from "../../src/errors/registry.ts";
import { createLatencyRecorder, type LatencySummary } from "../../src/bench/latency-histogram.ts";
import { benchTool } from "./repo-paths.ts";

export interface HttpTarget {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface VegetaLoad {
  readonly target: HttpTarget;
  readonly rate: number;
  readonly durationS: number;
  /** Status codes that count as success. */
  readonly expectStatus: number;
  readonly cpus?: string;
}

export interface VegetaResult {
  readonly requests: number;
  readonly ok: number;
  readonly errors: number;
  readonly errorSamples: readonly string[];
  readonly rps: number;
  readonly latency: LatencySummary;
}

export async function runVegeta(load: VegetaLoad): Promise<VegetaResult> {
  const vegeta = benchTool("vegeta");
  const dir = await mkdtemp(join(tmpdir(), "aegis-vegeta-"));
  try {
    const targets = join(dir, "targets.json");
    const results = join(dir, "results.bin");
    const encoded = join(dir, "results.json");
    const header = Object.fromEntries(Object.entries(load.target.headers).map(([k, v]) => [k, [v]]));
    await writeFile(targets, `${JSON.stringify({ method: load.target.method, url: load.target.url, header, body: Buffer.from(load.target.body).toString("base64") })}\n`);
    const attack = ["attack", "-format=json", `-targets=${targets}`, `-rate=${load.rate}/1s`, `-duration=${load.durationS}s`, "-timeout=10s", `-output=${results}`];
    await run(load.cpus === undefined ? vegeta : "taskset", load.cpus === undefined ? attack : ["-c", load.cpus, vegeta, ...attack]);
    await run(vegeta, ["encode", "--to", "json", `--output=${encoded}`, results]);
    return await summarize(encoded, load.expectStatus, load.durationS);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function summarize(file: string, expectStatus: number, durationS: number): Promise<VegetaResult> {
  const recorder = createLatencyRecorder();
  const errors = new Map<string, number>();
  let requests = 0;
  let ok = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for await (const line of createInterface({ input: createReadStream(file) })) {
    if (line.trim() === "") continue;
    const r = JSON.parse(line) as { code: number; latency: number; error: string; timestamp: string };
    requests++;
    const at = Date.parse(r.timestamp);
    first = Math.min(first, at);
    last = Math.max(last, at);
    if (r.code === expectStatus && r.error === "") {
      ok++;
      recorder.record(r.latency);
    } else {
      const key = r.error === "" ? `HTTP ${r.code}` : r.error;
      errors.set(key, (errors.get(key) ?? 0) + 1);
    }
  }
  const spanS = last > first ? (last - first) / 1000 : durationS;
  return {
    requests,
    ok,
    errors: requests - ok,
    errorSamples: [...errors.entries()].slice(0, 3).map(([m, n]) => `${n}× ${m}`),
    rps: requests / spanS,
    latency: recorder.summary(),
  };
}

function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", (err) => reject(new AegisError("AEGIS_ERR_BENCH", `cannot run ${command}: ${err.message}`, { cause: err })));
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new AegisError("AEGIS_ERR_BENCH", `${command} ${args[0] ?? ""} exited with ${code}: ${stderr.slice(-2000)}`))));
  });
}
