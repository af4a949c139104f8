import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { completeInput } from "../input/complete-input.ts";
import type { PolicyInput } from "../input/types.ts";
import { cacheable, withDecisionCache, type CacheLookup } from "./decision-cache.ts";
import type { Engine } from "./engine.ts";

/** An engine whose "decision" is a pure function of the input, counting how often it is asked. */
function countingEngine(): Engine & { calls: number } {
  const engine = {
    revision: "r1", loadedAt: new Date(), calls: 0,
    async evaluate(input: PolicyInput) {
      engine.calls++;
      return { outcome: input.params.amount === 1 ? "deny" : "allow", echo: { tool: input.tool, params: input.params } };
    },
    close: async () => undefined,
  };
  return engine;
}

const payment = (amount: unknown, extra: Partial<PolicyInput> = {}): PolicyInput => completeInput({ tenant: "acme", agent: "finance-agent", tool: "stripe", action: "pay", params: { amount }, ...extra });

describe("the decision cache", () => {
  it("answers a repeated input from the cache with the engine's own decision, evaluating it once", async () => {
    const inner = countingEngine();
    const seen: CacheLookup[] = [];
    const cached = withDecisionCache(inner, { maxBytes: 1 << 20, onLookup: (r) => void seen.push(r) });
    const first = await cached.evaluate(payment(5));
    const again = await cached.evaluate(payment(5));
    expect(again).toEqual(await inner.evaluate(payment(5)));
    expect(again).toBe(first);
    expect(inner.calls).toBe(2); // one through the cache, one asked directly above
    expect(seen).toEqual(["miss", "hit"]);
  });

  it("bypasses inputs carrying budget counters or the schedule clock: they change between calls", async () => {
    const inner = countingEngine();
    const seen: CacheLookup[] = [];
    const cached = withDecisionCache(inner, { maxBytes: 1 << 20, onLookup: (r) => void seen.push(r) });
    const budgeted = payment(5, { budgets: { daily: { spent: 10 } } });
    const clocked = payment(5, { now: { unix_ms: 1, zones: {} } } as Partial<PolicyInput>);
    for (const input of [budgeted, budgeted, clocked, clocked]) await cached.evaluate(input);
    expect(inner.calls).toBe(4);
    expect(seen).toEqual(["bypass", "bypass", "bypass", "bypass"]);
    expect(cacheable(payment(5))).toBe(true);
  });

  it("keeps at most maxBytes of input JSON, evicting the least recently used first", async () => {
    const inner = countingEngine();
    const size = JSON.stringify(payment(100)).length;
    const cached = withDecisionCache(inner, { maxBytes: size * 2 });
    await cached.evaluate(payment(100));
    await cached.evaluate(payment(200));
    await cached.evaluate(payment(100)); // hit: 100 is now the most recent
    await cached.evaluate(payment(300)); // evicts 200
    expect(inner.calls).toBe(3);
    await cached.evaluate(payment(100));
    expect(inner.calls).toBe(3);
    await cached.evaluate(payment(200));
    expect(inner.calls).toBe(4);
  });

  it("hands out frozen decisions, so no caller can change another's", async () => {
    const cached = withDecisionCache(countingEngine(), { maxBytes: 1 << 20 });
    const decision = (await cached.evaluate(payment(5))) as { echo: { params: Record<string, unknown> } };
    expect(() => { decision.echo.params.amount = 6; }).toThrow(TypeError);
  });

  it("hands the engine the input JSON it keyed on, so a miss serializes the input once", async () => {
    const given: (string | undefined)[] = [];
    const inner = countingEngine();
    const spy: Engine = { ...inner, evaluate: (input, json) => (given.push(json), inner.evaluate(input)) };
    await withDecisionCache(spy, { maxBytes: 1 << 20 }).evaluate(payment(7));
    expect(given).toEqual([JSON.stringify(payment(7))]);
  });

  it("is the engine itself when disabled", () => {
    const inner = countingEngine();
    expect(withDecisionCache(inner, { maxBytes: 0 })).toBe(inner);
  });

  it("answers every sequence of inputs exactly as the engine does", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant("x")), { maxLength: 30 }), fc.integer({ min: 1, max: 2000 }), async (amounts, maxBytes) => {
        const inner = countingEngine();
        const cached = withDecisionCache(inner, { maxBytes });
        for (const amount of amounts) expect(await cached.evaluate(payment(amount))).toEqual(await inner.evaluate(payment(amount)));
      }),
      { numRuns: 200 },
    );
  });
});
