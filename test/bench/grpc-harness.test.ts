// Harness 2 smoke: ghz against the no-op floor, aegis serve and the OPA-Envoy peer (the real
// plugin when setup built it, else the stand-in: either passes).
import { beforeAll, describe, expect, it } from "vitest";
import { BENCH_TOOLS, describeFailure, requireTools, runHarness } from "./helpers.ts";

beforeAll(() => requireTools({ ...BENCH_TOOLS, opa: "scripts/setup.sh opa" }));

describe("bench/grpc/run.ts (smoke)", () => {
  it("loads all three servers at a constant rate and at max, and reports latency, CPU and ratios", () => {
    const run = runHarness("bench/grpc/run.ts", ["--duration", "1", "--warmup", "0.5", "--runs", "1", "--rates", "200", "--concurrency", "4"]);
    expect(run.code, describeFailure(run)).toBe(0);
    const { peers, answers, deniedAnswers, medians, ratios, machine } = run.json;
    expect(answers).toMatchObject({ noop: { kind: "ok" }, aegis: { kind: "ok" }, "opa-envoy": { kind: "ok" } });
    expect(deniedAnswers).toMatchObject({ aegis: { kind: "denied", httpStatus: "Forbidden" }, "opa-envoy": { kind: "denied", httpStatus: "Forbidden" } });
    expect(peers["opa-envoy"]).toMatch(/^(opa-envoy-plugin \S+|stand-in)/);
    expect(medians.map((m: { server: string; phase: string }) => `${m.server} ${m.phase}`).sort()).toEqual(
      ["aegis 200/s", "aegis max", "noop 200/s", "noop max", "opa-envoy 200/s", "opa-envoy max"],
    );
    for (const m of medians) {
      expect(m.errors, `${m.server} ${m.phase}`).toBe(0);
      expect(m.rps).toBeGreaterThan(0);
      expect(m.p50Ns).toBeGreaterThan(0);
      expect(m.p999Ns).toBeGreaterThanOrEqual(m.p99Ns);
      expect(m.serverCores).toBeGreaterThan(0);
      expect(m.serverCpuUsPerCheck).toBeGreaterThan(0);
      expect(m.peer).toBe(peers[m.server]);
      expect(m.serverRssBytes).toBeGreaterThan(0);
    }
    expect(ratios.aegisOverOpaEnvoyMaxRps).toBeGreaterThan(0);
    expect(ratios.aegisOverNoopMaxRps).toBeGreaterThan(0);
    expect(ratios.aegisOverNoopCpuPerCheck).toBeGreaterThan(0);
    expect(ratios.aegisOverOpaEnvoyCpuPerCheck).toBeGreaterThan(0);
    expect(machine.before.cores).toBeGreaterThan(0);
    expect(run.stdout).toMatch(/targets \(issue 6\)/);
    expect(run.stdout).toMatch(/targets \(issue 11\) against the no-op floor/);
  });
});
