import { describe, expect, it } from "vitest";
import { coresUsed, sampleProcess } from "./proc-stat.ts";

describe("sampleProcess", () => {
  it("sees this process's RSS and the CPU a busy loop burns", () => {
    const before = sampleProcess(process.pid);
    const cpuBefore = process.cpuUsage();
    // Spin until 300 ms of CPU are burnt, not for 300 ms of wall time: on a loaded machine the
    // loop may get a fraction of a core, and the figure under test is the CPU, not the share.
    let spin = 0;
    while (process.cpuUsage(cpuBefore).user < 300_000) spin++;
    const burnt = process.cpuUsage(cpuBefore);
    const after = sampleProcess(process.pid);
    expect(spin).toBeGreaterThan(0);
    expect(after.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    const seen = after.cpuSeconds - before.cpuSeconds;
    // /proc counts in clock ticks (10 ms); other threads of this process (GC, vitest) add a little.
    expect(seen).toBeGreaterThan((burnt.user + burnt.system) / 1e6 - 0.05);
    expect(seen).toBeLessThan((burnt.user + burnt.system) / 1e6 + 0.5);
    expect(coresUsed(before, after)).toBeGreaterThan(0);
    expect(coresUsed(before, after)).toBeLessThan(2.5);
  });
});
