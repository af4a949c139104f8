// Observing through fastObserver exposes exactly what prom-client's own observe() exposes, for
// labelled and unlabelled histograms, across a reset.
import fc from "fast-check";
import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { fastObserver } from "./fast-observe.ts";

const BUCKETS = [0.001, 0.005, 0.01, 0.1, 1];

function pair(labelled: boolean) {
  const registries = [new Registry(), new Registry()] as const;
  const [plain, fast] = registries.map((registry) => new Histogram({ name: "h_seconds", help: "h", buckets: BUCKETS, registers: [registry], ...(labelled ? { labelNames: ["outcome"] } : {}) }));
  const observe = fastObserver(fast!, labelled ? "outcome" : undefined);
  return {
    registries,
    observe(label: string, value: number) {
      if (labelled) plain!.observe({ outcome: label }, value);
      else plain!.observe(value);
      observe(label, value);
    },
    reset() {
      plain!.reset();
      fast!.reset();
    },
  };
}

const observation = fc.tuple(fc.constantFrom("allow", "deny", "error"), fc.oneof(fc.double({ min: 0, max: 2, noNaN: true }), fc.constantFrom(...BUCKETS)));

describe("fastObserver", () => {
  for (const labelled of [true, false]) {
    it(`exposes what observe() exposes (${labelled ? "labelled" : "unlabelled"}), across reset()`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(observation, { maxLength: 30 }), fc.array(observation, { maxLength: 10 }), async (before, after) => {
          const h = pair(labelled);
          for (const [label, value] of before) h.observe(label, value);
          expect(await h.registries[1].metrics()).toBe(await h.registries[0].metrics());
          h.reset();
          for (const [label, value] of after) h.observe(label, value);
          expect(await h.registries[1].metrics()).toBe(await h.registries[0].metrics());
        }),
        { numRuns: 100 },
      );
    });
  }

  it("still refuses a value prom-client refuses", () => {
    const h = new Histogram({ name: "r_seconds", help: "r", buckets: BUCKETS, labelNames: ["outcome"], registers: [] });
    const observe = fastObserver(h, "outcome");
    observe("allow", 0.01);
    expect(() => observe("allow", Number.NaN)).toThrow(TypeError);
  });
});
