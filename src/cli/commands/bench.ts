// aegis bench --bundle B --input I.json: in-process evaluation benchmark, beside `opa bench` on the
// same Rego, data and input (see bench/README.md for the other harnesses).
import { readFileSync } from "node:fs";
import { parseCommand } from "../parse-command.ts";
import { compareEval } from "../../bench/eval-comparison.ts";
import { evalTargets, formatEvalComparison } from "../../bench/eval-report.ts";
import { defaultRegoDir } from "../../bundle/library-dir.ts";
import { loadBundleSource } from "../../bundle/source.ts";
import { AegisError } from "../../errors/registry.ts";
import type { PolicyInput } from "../../input/types.ts";
import { completeInput } from "../../input/complete-input.ts";

const USAGE = `usage: aegis bench --bundle <bundle.tar.gz> --input <input.json> [options]
  --duration S   measured seconds per engine and run (default 5)
  --warmup S     warm-up seconds before each measurement (default 1)
  --workers N    also measure N worker threads (default 2; 0 measures inline only)
  --runs R       repeat inline, workers and opa bench R times, interleaved; medians (default 1)
  --rego-dir D   the Rego library the bundle was built from (default policies/aegis)
  --no-opa       skip opa bench
  --json         print the full result as JSON
the input is a policy input (docs/contracts.md §2); omitted fields take neutral defaults
`;

const OPTIONS = {
  bundle: { type: "string" },
  input: { type: "string" },
  duration: { type: "string", default: "5" },
  warmup: { type: "string", default: "1" },
  workers: { type: "string", default: "2" },
  runs: { type: "string", default: "1" },
  "rego-dir": { type: "string" },
  "no-opa": { type: "boolean", default: false },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h" },
} as const;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand("bench", USAGE, { args, options: OPTIONS });
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  if (values.bundle === undefined || values.input === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  const durationS = positive("--duration", values.duration);
  const warmupS = nonNegative("--warmup", values.warmup);
  const workers = Math.floor(nonNegative("--workers", values.workers));
  const runs = Math.max(1, Math.floor(positive("--runs", values.runs)));
  const input = completeInput(readInput(values.input));
  const loaded = await loadBundleSource(values.bundle);
  if ("notModified" in loaded) throw new AegisError("AEGIS_ERR_BUNDLE_READ", `cannot read bundle ${values.bundle}`);
  const { contents } = loaded;

  const comparison = await compareEval({
    source: { revision: contents.manifest.revision, wasm: contents.wasm, dataJson: contents.dataJson },
    dataJson: contents.dataJson,
    input,
    warmupMs: warmupS * 1000,
    durationMs: durationS * 1000,
    workers,
    runs,
    regoDir: values["no-opa"] ? null : (values["rego-dir"] ?? defaultRegoDir()),
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ bundle: values.bundle, settings: { durationS, warmupS, workers, runs }, ...comparison, targets: evalTargets(comparison) }, null, 2)}\n`);
  } else {
    process.stdout.write(formatEvalComparison(comparison, runs));
  }
  if (comparison.sameDecisionAsOpa === false) {
    process.stderr.write("aegis bench: the Aegis decision differs from opa eval on the same input; the comparison is not like for like\n");
    return 1;
  }
  return 0;
}

function positive(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new AegisError("AEGIS_ERR_USAGE", `${flag} must be a positive number, got "${text}"`);
  return value;
}

function nonNegative(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new AegisError("AEGIS_ERR_USAGE", `${flag} must be a number ≥ 0, got "${text}"`);
  return value;
}

function readInput(path: string): Partial<PolicyInput> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path === "-" ? 0 : path, "utf8"));
  } catch (err) {
    throw new AegisError("AEGIS_ERR_USAGE", `cannot read input ${path}: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new AegisError("AEGIS_ERR_USAGE", `input ${path} must be a JSON object`);
  return parsed as Partial<PolicyInput>;
}
