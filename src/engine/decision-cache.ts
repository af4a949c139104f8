// Decisions of identical inputs, remembered per engine (so per bundle: a swap starts empty).
// Safe because a decision is a pure function of the input and the bundle: Aegis refuses any
// bundle whose Rego needs a host builtin (src/bundle/wasm-builtins.ts), so no time.now_ns, rand,
// uuid or http.send can make two evaluations of one input differ. Inputs that carry budget
// counters or the schedule clock change from call to call and bypass the cache rather than
// churn it. Bounded by the bytes of the inputs it keys on; least recently used goes first.
import type { PolicyInput } from "../input/types.ts";
import type { Engine } from "./engine.ts";

export type CacheLookup = "hit" | "miss" | "bypass";

export interface DecisionCacheOptions {
  /** Total UTF-16 length of the cached inputs' JSON, a proxy for their memory; 0 disables the cache. */
  readonly maxBytes: number;
  /** Told of every lookup (for metrics). */
  readonly onLookup?: (result: CacheLookup) => void;
}

/** An input whose decision may be reused: nothing in it changes by itself between calls. */
export function cacheable(input: PolicyInput): boolean {
  if (input.now !== undefined) return false;
  for (const _ in input.budgets) return false;
  return true;
}

export function withDecisionCache(engine: Engine, options: DecisionCacheOptions): Engine {
  if (options.maxBytes <= 0) return engine;
  const entries = new Map<string, unknown>();
  let bytes = 0;
  const report = options.onLookup ?? (() => undefined);
  return {
    revision: engine.revision,
    loadedAt: engine.loadedAt,
    async evaluate(input) {
      if (!cacheable(input)) {
        report("bypass");
        return engine.evaluate(input);
      }
      const key = JSON.stringify(input);
      if (entries.has(key)) {
        const hit = entries.get(key);
        // Most recently used last, so eviction takes the first.
        entries.delete(key);
        entries.set(key, hit);
        report("hit");
        return hit;
      }
      report("miss");
      // Frozen: every caller shares the value, so a mutation would be a bug, and throws.
      const result = deepFreeze(await engine.evaluate(input, key));
      if (key.length > options.maxBytes) return result;
      if (!entries.has(key)) {
        entries.set(key, result);
        bytes += key.length;
        for (const old of entries.keys()) {
          if (bytes <= options.maxBytes) break;
          entries.delete(old);
          bytes -= old.length;
        }
      }
      return result;
    },
    close: () => engine.close(),
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
