// Harness 4 smoke: a generated bundle through aegis build, a probe, a served reload, a body size
// and a short soak.
import { beforeAll, describe, expect, it } from "vitest";
import { describeFailure, requireTools, runHarness } from "./helpers.ts";

beforeAll(() => requireTools({ ghz: "scripts/setup.sh bench" }));

describe("bench/scale/run.ts (smoke)", () => {
  it("reports load time, RSS and eval latency per agent count, a reload under load, body sizes and a soak", () => {
    const run = runHarness("bench/scale/run.ts", [
      "--agents", "10", "--bodies", "1024", "--body-servers", "aegis", "--runs", "1", "--duration", "0.3", "--probe-workers", "0",
      "--rate", "100", "--reload-baseline", "1", "--reload-tail", "4", "--soak", "2", "--rebuild",
    ]);
    expect(run.code, describeFailure(run)).toBe(0);
    const { agents, bodies, soak } = run.json;
    expect(agents).toHaveLength(1);
    const [point] = agents;
    expect(point.bundle.agents).toBe(10);
    expect(point.bundle.dataJsonBytes).toBeGreaterThan(0);
    expect(point.probe.outcome).toBe("allow");
    expect(point.probe.loadMs).toBeGreaterThan(0);
    expect(point.probe.rssAfterLoadBytes).toBeGreaterThan(0);
    expect(point.probe.eval.p99Ns).toBeGreaterThan(0);
    expect(point.reload.reloadMs).toBeGreaterThanOrEqual(0);
    expect(point.reload.errors).toBe(0);
    expect(point.reload.baseline.count).toBeGreaterThan(0);
    expect(point.reload.duringReload.count).toBeGreaterThan(0);
    expect(bodies).toHaveLength(1);
    expect(bodies[0].bytes).toBe(1024);
    expect(bodies[0].check.aegis.p50Ns).toBeGreaterThan(0);
    expect(soak.rss.length).toBeGreaterThan(0);
    expect(soak.errors).toBe(0);
    expect(run.stdout).toMatch(/targets \(issue 6\)/);
  });
});
