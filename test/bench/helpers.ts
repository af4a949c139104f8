// Shared by the harness smoke tests: each harness runs for a second or two with tiny settings,
// and the test checks it produced well-formed results (never how fast anything was).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../support/opa.ts";

/** Fails (never skips) when a tool the harness needs is not provisioned, naming the setup step. */
export function requireTools(tools: Readonly<Record<string, string>>): void {
  const missing = Object.entries(tools).filter(([name]) => !existsSync(join(REPO_ROOT, ".tools", "bin", name)));
  if (missing.length > 0) {
    throw new Error(`benchmark smoke test needs ${missing.map(([name, setup]) => `.tools/bin/${name} (${setup})`).join(", ")}`);
  }
}

export const BENCH_TOOLS = { ghz: "scripts/setup.sh bench", vegeta: "scripts/setup.sh bench", "opa-envoy-bench": "scripts/setup.sh bench" } as const;

export interface HarnessRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Runs bench/<harness>/run.ts with the given options and reads the JSON it writes. */
export function runHarness(script: string, args: readonly string[]): HarnessRun {
  const out = join(mkdtempSync(join(tmpdir(), "aegis-bench-smoke-")), "result.json");
  const result = spawnSync(process.execPath, ["--disable-warning=ExperimentalWarning", join(REPO_ROOT, script), ...args, "--json", out], {
    cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000,
  });
  const json = existsSync(out) ? (JSON.parse(readFileSync(out, "utf8")) as unknown) : null;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, json };
}

export function describeFailure(run: HarnessRun): string {
  return `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr.slice(-4000)}`;
}
