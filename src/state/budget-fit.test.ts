import { describe, expect, it } from "vitest";
import { chargeFits, remainingBudget } from "./budget-fit.ts";

describe("chargeFits", () => {
  it.each([
    [15_000, 5_000, 20_000, true],
    [15_000, 5_001, 20_000, false],
    [0, 20_000, 20_000, true],
    [0, 0, 0, true],
    [0, 0.01, 0, false],
    [0.1, 0.2, 0.3, true], // binary rounding must not refuse an exact decimal fit
    [0.1, 0.21, 0.3, false],
    [999_999_999.99, 0.01, 1_000_000_000, true],
    [999_999_999.99, 0.02, 1_000_000_000, false],
  ])("spent %s + cost %s within limit %s → %s", (spent, cost, limit, fits) => {
    expect(chargeFits(spent, cost, limit)).toBe(fits);
  });
});

describe("remainingBudget", () => {
  it("never goes below zero, even after the limit was lowered below what was spent", () => {
    expect(remainingBudget(100, 40)).toBe(60);
    expect(remainingBudget(100, 150)).toBe(0);
  });
});
