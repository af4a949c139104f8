import { describe, expect, it } from "vitest";
import { checkParamLimits } from "./param-limits.ts";

const limits = { maxParams: 4, maxDepth: 3 };

describe("checkParamLimits", () => {
  it.each([
    ["empty params", {}, null],
    ["four entries", { a: 1, b: 2, c: 3, d: 4 }, null],
    ["five entries", { a: 1, b: 2, c: 3, d: 4, e: 5 }, "parameters have more than 4 entries"],
    ["entries counted at every level", { a: { b: [1, 2, 3] } }, "parameters have more than 4 entries"],
    ["depth 3", { a: { b: { c: 1 } } }, null],
    ["depth 4", { a: { b: { c: { d: 1 } } } }, "parameters nest deeper than 3 levels"],
    ["arrays nest too", { a: [[[1]]] }, "parameters nest deeper than 3 levels"],
  ])("%s", (_name, params, expected) => {
    expect(checkParamLimits(params, limits)).toBe(expected);
  });

  it("stops early on a very deep structure", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(checkParamLimits({ deep }, { maxParams: 1_000_000, maxDepth: 32 })).toBe("parameters nest deeper than 32 levels");
  });
});
