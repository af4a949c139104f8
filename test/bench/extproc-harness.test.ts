// Harness 7 smoke: the shipped Envoy config with ext_authz alone, with ext_proc doing nothing,
// and with ext_proc reading the response; the report carries the hops and their ratios.
import { beforeAll, describe, expect, it } from "vitest";
import { describeFailure, requireTools, runHarness } from "./helpers.ts";

beforeAll(() => requireTools({ vegeta: "scripts/setup.sh bench", envoy: "scripts/setup.sh envoy" }));

describe("bench/extproc/run.ts (smoke)", () => {
  it("measures ext_authz alone and both ext_proc paths, with the hop of each", () => {
    const run = runHarness("bench/extproc/run.ts", ["--duration", "1", "--warmup", "0.5", "--runs", "1", "--rates", "50"]);
    expect(run.code, describeFailure(run)).toBe(0);
    const { medians, hops } = run.json;
    expect(medians.map((m: { mode: string }) => m.mode)).toEqual(["envoy", "envoy+aegis", "envoy+aegis+ext_proc", "envoy+aegis+ext_proc+response"]);
    for (const m of medians) {
      expect(m.requests, m.mode).toBeGreaterThanOrEqual(40);
      expect(m.p50Ns).toBeGreaterThan(0);
    }
    expect(hops.map((h: { mode: string }) => h.mode)).toEqual(["envoy+aegis", "envoy+aegis+ext_proc", "envoy+aegis+ext_proc+response"]);
    expect(run.stdout).toMatch(/ext_proc at 50\/s/);
  }, 180_000);
});
