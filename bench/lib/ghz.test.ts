import { describe, expect, it } from "vitest";
import { summarizeGhzReport } from "./ghz.ts";

const ok = (latency: number) => ({ timestamp: "2026-01-01T00:00:00Z", latency, status: "OK", error: "" });
const failed = (error: string) => ({ timestamp: "2026-01-01T00:00:00Z", latency: 1, status: "Unavailable", error });
const CUT = "rpc error: code = Unavailable desc = error reading from server: read tcp: use of closed network connection";

describe("summarizeGhzReport", () => {
  it("computes percentiles from successful calls only", () => {
    const details = [...Array.from({ length: 99 }, () => ok(1_000_000)), ok(9_000_000), failed("rpc error: code = Internal desc = boom")];
    const r = summarizeGhzReport({ count: 101, rps: 100, details }, 0.5, 10);
    expect(r.ok).toBe(100);
    expect(r.errors).toBe(1);
    expect(r.latency.p50Ns).toBeCloseTo(1_000_000, -4);
    expect(r.latency.maxNs).toBeCloseTo(9_000_000, -4);
    expect(r.loadGeneratorCores).toBe(0.5);
  });

  it("does not blame the server for calls ghz cut off at the end, up to one per concurrent worker", () => {
    const details = [ok(1000), ...Array.from({ length: 5 }, () => failed(CUT))];
    expect(summarizeGhzReport({ count: 6, details }, 0, 10)).toMatchObject({ errors: 0, cutOffAtEnd: 5 });
    // More closed-connection failures than workers cannot all be the end of the run.
    expect(summarizeGhzReport({ count: 6, details }, 0, 2)).toMatchObject({ errors: 3, cutOffAtEnd: 2 });
  });
});
