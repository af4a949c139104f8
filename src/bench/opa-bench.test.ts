import { describe, expect, it } from "vitest";
import { isAegisError } from "../errors/registry.ts";
import { medianOpaRun, parseOpaBenchJson } from "./opa-bench.ts";

// Trimmed from real `opa bench --format json` output (OPA 1.22).
const SAMPLE = JSON.stringify({
  N: 3288,
  T: 1017521292,
  Bytes: 0,
  MemAllocs: 3903454,
  MemBytes: 181324480,
  Extra: {
    "histogram_timer_rego_query_eval_ns_90%": 268965,
    "histogram_timer_rego_query_eval_ns_99%": 824892.26,
    "histogram_timer_rego_query_eval_ns_99.9%": 1448714.33,
    histogram_timer_rego_query_eval_ns_median: 249459.5,
  },
});

describe("parseOpaBenchJson", () => {
  it("derives per-op figures from N and T, and percentiles from OPA's eval timer", () => {
    const run = parseOpaBenchJson(SAMPLE);
    expect(run.ops).toBe(3288);
    expect(run.nsPerOp).toBeCloseTo(1017521292 / 3288);
    expect(run.allocsPerOp).toBeCloseTo(3903454 / 3288);
    expect(run.bytesPerOp).toBeCloseTo(181324480 / 3288);
    expect([run.p50Ns, run.p90Ns, run.p99Ns, run.p999Ns]).toEqual([249459.5, 268965, 824892.26, 1448714.33]);
  });

  it("reports a missing percentile as null, never as zero", () => {
    expect(parseOpaBenchJson(JSON.stringify({ N: 10, T: 1000 })).p99Ns).toBeNull();
  });

  it.each([["not json at all"], [JSON.stringify({ errors: [{ message: "undefined result" }] })], [JSON.stringify({ N: 0, T: 5 })]])(
    "refuses output it cannot read (%s) with AEGIS_ERR_BENCH",
    (stdout) => {
      let caught: unknown;
      try {
        parseOpaBenchJson(stdout);
      } catch (err) {
        caught = err;
      }
      expect(isAegisError(caught, "AEGIS_ERR_BENCH")).toBe(true);
    },
  );
});

describe("medianOpaRun", () => {
  it("takes each figure's median across runs, skipping runs that lack it", () => {
    const a = parseOpaBenchJson(JSON.stringify({ N: 100, T: 1000 }));
    const b = parseOpaBenchJson(SAMPLE);
    const c = parseOpaBenchJson(JSON.stringify({ N: 100, T: 3000, Extra: { "histogram_timer_rego_query_eval_ns_99%": 40 } }));
    const m = medianOpaRun([a, b, c]);
    expect(m.nsPerOp).toBe(30);
    expect(m.p99Ns).toBeCloseTo((824892.26 + 40) / 2);
  });
});
