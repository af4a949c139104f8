// `opa bench` (the real OPA CLI, Go topdown evaluator) on the same Rego, data.json and input as an
// Aegis bundle, for a ratio measured in the same run. `opa bench -b` cannot take the bundle as it
// is (OPA's CLI is built without a WASM engine and refuses a bundle that declares policy.wasm), so
// data.json and the Rego library are staged into a plain directory (see rego-stage.ts).
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { opaCommand } from "../bundle/opa-cli.ts";
import { AegisError } from "../errors/registry.ts";
import { type RegoStageSource, writeRegoAndData } from "./rego-stage.ts";
import { median } from "./stats.ts";

export const DECISION_QUERY = "data.aegis.decision";

export interface OpaBenchRun {
  readonly ops: number;
  readonly nsPerOp: number;
  readonly allocsPerOp: number;
  readonly bytesPerOp: number;
  /** From OPA's own rego_query_eval timer histogram; null when OPA did not report it. */
  readonly p50Ns: number | null;
  readonly p90Ns: number | null;
  readonly p99Ns: number | null;
  readonly p999Ns: number | null;
}

export interface OpaBenchResult {
  readonly opa: string;
  readonly runs: readonly OpaBenchRun[];
  /** Medians over the runs. */
  readonly median: OpaBenchRun;
}

export interface OpaStage {
  readonly dir: string;
  readonly inputFile: string;
  remove(): Promise<void>;
}

/** A directory OPA loads as-is (data.json, the Rego library, extraFiles), and input.json beside it. */
export async function stageForOpa(source: RegoStageSource, input: unknown, extraFiles: Readonly<Record<string, string>> = {}): Promise<OpaStage> {
  const root = await mkdtemp(join(tmpdir(), "aegis-opa-bench-"));
  const dir = join(root, "policy");
  await writeRegoAndData(source, dir);
  for (const [name, text] of Object.entries(extraFiles)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  const inputFile = join(root, "input.json");
  await writeFile(inputFile, JSON.stringify(input));
  return { dir, inputFile, remove: () => rm(root, { recursive: true, force: true }) };
}

/** `count` runs of `opa bench` (about one second each: Go's default benchtime). */
export async function runOpaBench(stage: OpaStage, count: number, query = DECISION_QUERY): Promise<OpaBenchResult> {
  const opa = opaCommand();
  const runs: OpaBenchRun[] = [];
  for (let i = 0; i < count; i++) {
    const stdout = await execOpa(opa, ["bench", "-d", stage.dir, "-i", stage.inputFile, "--format", "json", "--count", "1", query]);
    runs.push(parseOpaBenchJson(stdout));
  }
  return { opa, runs, median: medianOpaRun(runs) };
}

/** The decision `opa eval` gives for the staged input: the oracle the Aegis result must equal. */
export async function opaEvalDecision(stage: OpaStage, query = DECISION_QUERY): Promise<unknown> {
  const stdout = await execOpa(opaCommand(), ["eval", "-d", stage.dir, "-i", stage.inputFile, "--format", "json", query]);
  const parsed = JSON.parse(stdout) as { result?: { expressions?: { value?: unknown }[] }[] };
  const value = parsed.result?.[0]?.expressions?.[0]?.value;
  if (value === undefined) throw new AegisError("AEGIS_ERR_BENCH", `opa eval gave no value for ${query}`);
  return value;
}

export function parseOpaBenchJson(stdout: string): OpaBenchRun {
  let parsed: { N?: unknown; T?: unknown; MemAllocs?: unknown; MemBytes?: unknown; Extra?: Record<string, unknown> };
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch (err) {
    throw new AegisError("AEGIS_ERR_BENCH", `opa bench printed something other than JSON: ${stdout.slice(0, 200)}`, { cause: err });
  }
  const { N, T, MemAllocs, MemBytes } = parsed;
  if (typeof N !== "number" || typeof T !== "number" || N <= 0) {
    throw new AegisError("AEGIS_ERR_BENCH", `opa bench output lacks N and T: ${stdout.slice(0, 200)}`);
  }
  const extra = parsed.Extra ?? {};
  const timer = (suffix: string): number | null => {
    const value = extra[`histogram_timer_rego_query_eval_ns_${suffix}`];
    return typeof value === "number" ? value : null;
  };
  return {
    ops: N,
    nsPerOp: T / N,
    allocsPerOp: typeof MemAllocs === "number" ? MemAllocs / N : 0,
    bytesPerOp: typeof MemBytes === "number" ? MemBytes / N : 0,
    p50Ns: timer("median"),
    p90Ns: timer("90%"),
    p99Ns: timer("99%"),
    p999Ns: timer("99.9%"),
  };
}

export function medianOpaRun(runs: readonly OpaBenchRun[]): OpaBenchRun {
  const of = (pick: (r: OpaBenchRun) => number | null): number | null => {
    const values = runs.map(pick).filter((v): v is number => v !== null);
    return values.length === 0 ? null : median(values);
  };
  return {
    ops: of((r) => r.ops) ?? 0,
    nsPerOp: of((r) => r.nsPerOp) ?? 0,
    allocsPerOp: of((r) => r.allocsPerOp) ?? 0,
    bytesPerOp: of((r) => r.bytesPerOp) ?? 0,
    p50Ns: of((r) => r.p50Ns),
    p90Ns: of((r) => r.p90Ns),
    p99Ns: of((r) => r.p99Ns),
    p999Ns: of((r) => r.p999Ns),
  };
}

function execOpa(opa: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(opa, args, { maxBuffer: 64 * 1024 * 1024, timeout: 10 * 60_000 }, (err, stdout, stderr) => {
      if (err === null) return resolve(stdout);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "EACCES") {
        return reject(new AegisError("AEGIS_ERR_OPA_NOT_FOUND", `OPA CLI "${opa}" could not be run (${code}); run scripts/setup.sh or set AEGIS_OPA`, { cause: err }));
      }
      reject(new AegisError("AEGIS_ERR_BENCH", `opa ${args[0] ?? ""} failed: ${(stderr.trim() || stdout.trim() || err.message).slice(0, 2000)}`, { cause: err }));
    });
  });
}
