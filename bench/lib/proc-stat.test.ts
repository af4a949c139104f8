import { describe, expect, it } from "vitest";
import { coresUsed, sampleProcess } from "./proc-stat.ts";

describe("sampleProcess", () => {
  it("sees this process's RSS and the CPU a busy loop burns", () => {
    const before = sampleProcess(process.pid);
    const until = Date.now() + 300;
    let spin = 0;
    while (Date.now() < until) spin++;
    const after = sampleProcess(process.pid);
    expect(spin).toBeGreaterThan(0);
    expect(after.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(after.cpuSeconds).toBeGreaterThan(before.cpuSeconds);
    // One thread spinning: close to one core (allowing for a shared, noisy machine).
    expect(coresUsed(before, after)).toBeGreaterThan(0.3);
    expect(coresUsed(before, after)).toBeLessThan(2.5);
  });
});
