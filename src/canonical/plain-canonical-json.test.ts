// The fast canonical JSON writes what the canonicalize package writes, and hands back (null)
// every value it does not write itself, so a sealed line's hash never depends on which one ran.
import canonicalize from "canonicalize";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../telemetry/decision-log/chain.ts";
import { plainCanonicalJson } from "./plain-canonical-json.ts";

describe("plainCanonicalJson", () => {
  it("writes exactly what canonicalize writes for any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.string({ unit: "binary" }), (value, key) => {
        const record = { [key]: value, nested: [value, { [key]: value }] };
        expect(plainCanonicalJson(record)).toBe(canonicalize(record));
      }),
      { numRuns: 500 },
    );
  });

  it("leaves lone surrogates, non-finite numbers, toJSON, bigint, cycles and deep nesting to canonicalize", () => {
    const cycle: Record<string, unknown> = {};
    cycle["self"] = cycle;
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    for (const value of [{ a: "\ud800" }, { "\udc00": 1 }, ["ok", "x\udbffy"], { n: Number.NaN }, [Infinity], { d: new Date(0) }, { b: 1n }, cycle, deep, { s: new String("x") }]) {
      expect(plainCanonicalJson(value)).toBeNull();
    }
    expect(canonicalJson(deep)).toBe(canonicalize(deep));
    expect(canonicalJson({ d: new Date(0) })).toBe('{"d":"1970-01-01T00:00:00.000Z"}');
    expect(() => canonicalJson(cycle)).toThrow(/not JSON-serialisable/);
  });

  it("writes a string that only spells a surrogate escape (a backslash, then ud800) as canonicalize does", () => {
    const value = { "\\ud800": "\\udfff", list: ["\\uD83D"] };
    expect(plainCanonicalJson(value)).toBe(canonicalize(value));
  });

  it("skips members without a JSON form and writes them as null in arrays, as canonicalize does", () => {
    const value = { u: undefined, f: () => 1, s: Symbol("x"), list: [undefined, () => 1, Symbol("y")], "-0": -0 };
    expect(plainCanonicalJson(value)).toBe(canonicalize(value));
    expect(plainCanonicalJson(value)).toBe('{"-0":0,"list":[null,null,null]}');
  });
});
