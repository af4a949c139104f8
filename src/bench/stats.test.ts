import { describe, expect, it } from "vitest";
import { median } from "./stats.ts";

describe("median", () => {
  it.each([
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[10, 10, 1], 10],
  ])("of %j is %d", (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it("does not reorder its argument", () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it("refuses an empty list rather than inventing a value", () => {
    expect(() => median([])).toThrow(RangeError);
  });
});
