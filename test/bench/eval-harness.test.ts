// Harness 1 smoke: aegis bench prints well-formed figures for inline, worker threads and opa bench.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { aegis } from "../support/cli.ts";
import { REPO_ROOT } from "../support/opa.ts";

const INPUT = { tenant: "acme", agent: "finance-agent", tool: "stripe-payments", action: "create_payment", host: "api.stripe.com", params: { amount: 1200 } };

let bundle: string;
let input: string;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "aegis-bench-eval-"));
  bundle = join(dir, "examples.tar.gz");
  input = join(dir, "input.json");
  writeFileSync(input, JSON.stringify(INPUT));
  const built = aegis(["build", "policies/examples", "-o", bundle]);
  if (built.code !== 0) throw new Error(`aegis build failed: ${built.stderr}`);
});

describe("aegis bench (smoke)", () => {
  it("measures inline and worker evaluation beside opa bench, and reports ratios and targets", () => {
    const run = aegis(["bench", "--bundle", bundle, "--input", input, "--duration", "0.3", "--warmup", "0.1", "--workers", "1", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.decision).toEqual({ outcome: "allow", reason: "within_limit" });
    expect(result.sameDecisionAsOpa).toBe(true);
    for (const series of [result.inline, result.workers]) {
      expect(series.runs).toHaveLength(1);
      expect(series.median.opsPerSec).toBeGreaterThan(0);
      expect(series.median.p50Ns).toBeGreaterThan(0);
      expect(series.median.p999Ns).toBeGreaterThanOrEqual(series.median.p99Ns);
      expect(series.median.rssBytes).toBeGreaterThan(0);
    }
    expect(result.workers.count).toBe(1);
    expect(result.opa.median.nsPerOp).toBeGreaterThan(0);
    expect(result.opa.median.p99Ns).toBeGreaterThan(0);
    expect(result.ratios.inlineMeanOverOpaMean).toBeGreaterThan(0);
    expect(result.targets.map((t: { name: string }) => t.name)).toEqual(["inline p99", "inline mean ÷ opa bench mean"]);
  });

  it("prints a readable table by default", () => {
    const run = aegis(["bench", "--bundle", bundle, "--input", input, "--duration", "0.2", "--warmup", "0", "--workers", "0", "--no-opa"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^decision: allow \(within_limit\)/);
    expect(run.stdout).toMatch(/aegis inline \(0 workers\)\s+\S+ µs/);
    expect(run.stdout).not.toMatch(/opa bench \(Go/);
  });

  it("fails with the setup hint when the OPA CLI is missing, instead of skipping the comparison", () => {
    const run = spawnSync(join(REPO_ROOT, "bin", "aegis"), ["bench", "--bundle", bundle, "--input", input, "--duration", "0.1", "--warmup", "0", "--workers", "0"], {
      encoding: "utf8", env: { ...process.env, AEGIS_OPA: "/nonexistent/opa" },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/AEGIS_ERR_OPA_NOT_FOUND: OPA CLI "\/nonexistent\/opa" could not be run .*scripts\/setup\.sh/);
  });
});
