// Harness 3 smoke: vegeta through the shipped Envoy config with and without the ext_authz hop.
import { beforeAll, describe, expect, it } from "vitest";
import { describeFailure, requireTools, runHarness } from "./helpers.ts";

beforeAll(() => requireTools({ vegeta: "scripts/setup.sh bench", envoy: "scripts/setup.sh envoy" }));

describe("bench/envoy/run.ts (smoke)", () => {
  it("measures the upstream alone, Envoy alone and Envoy + Aegis, and the hop between the last two", () => {
    const run = runHarness("bench/envoy/run.ts", ["--modes", "upstream,envoy,envoy+aegis", "--duration", "1", "--warmup", "0.5", "--runs", "1", "--rates", "100"]);
    expect(run.code, describeFailure(run)).toBe(0);
    const { medians, hops } = run.json;
    expect(medians.map((m: { mode: string }) => m.mode)).toEqual(["upstream", "envoy", "envoy+aegis"]);
    for (const m of medians) {
      expect(m.errors, m.mode).toBe(0);
      expect(m.requests).toBeGreaterThanOrEqual(90);
      expect(m.p50Ns).toBeGreaterThan(0);
    }
    expect(hops).toHaveLength(1);
    expect(hops[0]).toMatchObject({ mode: "envoy+aegis", rate: 100 });
    expect(Number.isFinite(hops[0].p99Ns)).toBe(true);
    expect(run.stdout).toMatch(/authorization hop at 1k\/s|n\/a/);
  });
});
