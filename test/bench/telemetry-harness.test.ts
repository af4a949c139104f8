// Harness 5 smoke: aegis serve with tracing (to a real Collector) and the decision log, off and on.
import { beforeAll, describe, expect, it } from "vitest";
import { BENCH_TOOLS, describeFailure, requireTools, runHarness } from "./helpers.ts";

beforeAll(() => requireTools({ ghz: BENCH_TOOLS.ghz, otelcol: "scripts/setup.sh otelcol" }));

describe("bench/telemetry/run.ts (smoke)", () => {
  it("measures tracing and the decision log against both off, and the spans reach the collector", () => {
    const run = runHarness("bench/telemetry/run.ts", ["--runs", "1", "--duration", "1", "--rate", "200", "--concurrency", "4"]);
    expect(run.code, describeFailure(run)).toBe(0);
    const { results, ratios, spans } = run.json as {
      results: Record<string, { fixed: { rps: number; errors: number }[]; max: { rps: number; errors: number }[] }>;
      ratios: Record<string, { p50: number[]; p99: number[]; maxRps: number[] }>;
      spans: number;
    };
    expect(Object.keys(results).sort()).toEqual(["both", "decision-log", "off", "tracing"]);
    for (const [variant, r] of Object.entries(results)) {
      for (const p of [...r.fixed, ...r.max]) {
        expect(p.errors, variant).toBe(0);
        expect(p.rps, variant).toBeGreaterThan(0);
      }
    }
    for (const v of ["tracing", "decision-log", "both"]) expect(ratios[v]?.maxRps[0]).toBeGreaterThan(0);
    expect(spans).toBeGreaterThan(0);
    expect(run.stdout).toMatch(/ratio to both off/);
  });
});
