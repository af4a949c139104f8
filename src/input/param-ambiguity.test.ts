import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseJsonBody } from "./json-body.ts";
import { ambiguousParams, caseCollision, foldName, nestedCaseCollision, type BodyParams } from "./param-ambiguity.ts";

const json = (value: Record<string, unknown>): BodyParams => ({ kind: "json", value });
const NO_BODY: BodyParams = { kind: "none" };

describe("foldName", () => {
  it.each([
    ["Amount", "amount"],
    ["AMOUNT", "amount"],
    ["\u212Aey", "key"], // Kelvin sign, which Go's encoding/json folds to k
    ["\u017Fecret", "secret"], // long s, which Go folds to s
    ["Straße", "strasse"], // Python's casefold
    ["ΣΑΣ", "σασ"],
    ["ς", "σ"],
  ])("folds %j like %j", (a, b) => {
    expect(foldName(a)).toBe(foldName(b));
  });

  it("folds dotless ı like i, as Java's equalsIgnoreCase does (both upper-case to I)", () => {
    expect(foldName("ıd")).toBe(foldName("ID"));
  });

  it.each([["amount", "amounts"], ["a_b", "a-b"], ["é", "e"]])("keeps %j and %j apart", (a, b) => {
    expect(foldName(a)).not.toBe(foldName(b));
  });

  // Go's encoding/json matches names by Unicode simple case folding (unicode.SimpleFold orbits).
  // These are the orbits where lower-casing alone is not enough, or that have more than two
  // members, as Go 1.26 enumerates them; every member of each must fold alike here.
  const goOrbits = [
    [0x3a0, 0x3c0, 0x3d6], [0x398, 0x3b8, 0x3d1, 0x3f4], [0x1f1, 0x1f2, 0x1f3], [0xb5, 0x39c, 0x3bc], [0x392, 0x3b2, 0x3d0],
    [0x1c7, 0x1c8, 0x1c9], [0x41e, 0x43e, 0x1c82], [0x39a, 0x3ba, 0x3f0], [0x1c4, 0x1c5, 0x1c6], [0x3a9, 0x3c9, 0x2126],
    [0xc5, 0xe5, 0x212b], [0x4b, 0x6b, 0x212a], [0x422, 0x442, 0x1c84, 0x1c85], [0x1e60, 0x1e61, 0x1e9b], [0x3a1, 0x3c1, 0x3f1],
    [0x345, 0x399, 0x3b9, 0x1fbe], [0x462, 0x463, 0x1c87], [0x42a, 0x44a, 0x1c86], [0x395, 0x3b5, 0x3f5], [0x3a6, 0x3c6, 0x3d5],
    [0x412, 0x432, 0x1c80], [0x1c88, 0xa64a, 0xa64b], [0x53, 0x73, 0x17f], [0x414, 0x434, 0x1c81], [0x1ca, 0x1cb, 0x1cc],
    [0x3a3, 0x3c2, 0x3c3], [0x421, 0x441, 0x1c83],
  ];
  it.each(goOrbits.map((orbit) => [orbit.map((c) => String.fromCodePoint(c)).join(" "), orbit]))("folds Go's orbit %s alike", (_chars, orbit) => {
    expect(new Set(orbit.map((c) => foldName(`x${String.fromCodePoint(c)}`))).size).toBe(1);
  });
});

describe("caseCollision", () => {
  it("finds names differing only in case, not exact repeats", () => {
    expect(caseCollision(["amount", "currency", "Amount"])).toEqual(["amount", "Amount"]);
    expect(caseCollision(["amount", "amount"])).toBeNull();
    expect(caseCollision(["amount", "currency"])).toBeNull();
  });
});

describe("ambiguousParams", () => {
  it.each<[string, Record<string, readonly string[]>, BodyParams, Record<string, unknown> | null]>([
    ["case pair in a JSON body", {}, json({ amount: 100, Amount: 999999 }), null],
    ["case pair nested in an object", {}, json({ payment: { amount: 1, AMOUNT: 2 } }), null],
    ["case pair inside an array", {}, json({ items: [{ ok: 1 }, { sku: "a", SKU: "b" }] }), null],
    ["Kelvin-sign pair", {}, json({ key: 1, "\u212Aey": 2 }), null],
    ["case pair in an MCP envelope", {}, json({ method: "tools/call", Method: "tools/list", params: { name: "x" } }), {}],
    ["case pair in a form body", {}, { kind: "form", values: { amount: ["1"], Amount: ["2"] } }, null],
    ["case pair in the query string", { amount: ["1"], AMOUNT: ["2"] }, NO_BODY, {}],
    ["query and body with different values", { amount: ["1"] }, json({ amount: 99999 }), null],
    ["query and body with different spellings", { Amount: ["100"] }, json({ amount: 100 }), null],
    ["repeated JSON member", {}, json(parseJsonBody('{"amount":1,"amount":99999}') as Record<string, unknown>), null],
  ])("refuses %s", (_name, query, body, bodyParams) => {
    const params = bodyParams ?? (body.kind === "json" ? body.value : body.kind === "form" ? Object.fromEntries(Object.entries(body.values).map(([k, v]) => [k, v[0]])) : {});
    expect(ambiguousParams({ query, body, bodyParams: params })).toEqual(expect.any(String));
  });

  it.each<[string, Record<string, readonly string[]>, BodyParams, Record<string, unknown>]>([
    ["distinct names", { currency: ["eur"] }, json({ amount: 1 }), { amount: 1 }],
    ["the same name and value in query and body", { amount: ["100"] }, json({ amount: 100 }), { amount: 100 }],
    ["the same repeated name and values", { tag: ["a", "b"] }, { kind: "form", values: { tag: ["a", "b"] } }, { tag: ["a", "b"] }],
    ["one name in sibling objects", {}, json({ a: { k: 1 }, b: { K: 2 } }), { a: { k: 1 }, b: { K: 2 } }],
    ["an MCP envelope naming a parameter like its own members", {}, json({ method: "tools/call", params: { name: "x", arguments: { Method: 1 } } }), { Method: 1 }],
  ])("accepts %s", (_name, query, body, bodyParams) => {
    expect(ambiguousParams({ query, body, bodyParams })).toBeNull();
  });
});

// Names that never collide with each other after folding (distinct lower-case ASCII), and ways
// to spell one of them differently in case only.
const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/);
// Flipped letters go to upper case, or to the Kelvin sign / long s that Go folds with k / s.
const SPECIAL: Readonly<Record<string, string>> = { k: "\u212A", s: "\u017F" };
const respell = (n: string, flips: readonly number[]) =>
  [...n].map((c, i) => {
    const flip = flips[i % flips.length]!;
    return flip === 0 ? c : flip === 1 ? c.toUpperCase() : (SPECIAL[c] ?? c.toUpperCase());
  }).join("");
const leaf = fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.boolean(), fc.constant(null));
const collisionFree: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    leaf,
    fc.array(tie("value"), { maxLength: 3 }),
    fc.uniqueArray(fc.tuple(name, tie("value")), { maxLength: 4, selector: ([k]) => k }).map((pairs) => Object.fromEntries(pairs)),
  ),
})).value;
const params = fc.uniqueArray(fc.tuple(name, collisionFree), { minLength: 1, maxLength: 5, selector: ([k]) => k }).map((pairs) => Object.fromEntries(pairs) as Record<string, unknown>);

/** Every object in `value`, depth first: where a colliding name may be planted. */
function objectsIn(value: unknown, found: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(value)) for (const item of value) objectsIn(item, found);
  else if (typeof value === "object" && value !== null) {
    found.push(value as Record<string, unknown>);
    for (const item of Object.values(value)) objectsIn(item, found);
  }
  return found;
}

describe("case collisions, by property", () => {
  it("never flags a collision-free params object", () => {
    fc.assert(fc.property(params, (p) => nestedCaseCollision(p) === null && ambiguousParams({ query: {}, body: json(p), bodyParams: p }) === null));
  });

  it("flags a params object with a case-colliding pair at any depth, arrays included", () => {
    fc.assert(
      fc.property(params, fc.nat(), fc.nat(), fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 8 }), leaf, (generated, objectPick, namePick, flips, planted) => {
        // A copy: fast-check reuses generated values while shrinking.
        const p = structuredClone(generated);
        const objects = objectsIn(p);
        const target = objects[objectPick % objects.length]!;
        const names = Object.keys(target);
        fc.pre(names.length > 0);
        const original = names[namePick % names.length]!;
        const twin = respell(original, flips);
        fc.pre(twin !== original);
        target[twin] = planted;
        return nestedCaseCollision(p) !== null && ambiguousParams({ query: {}, body: json(p), bodyParams: p }) !== null;
      }),
    );
  });
});
