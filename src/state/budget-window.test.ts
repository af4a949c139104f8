import { describe, expect, it } from "vitest";
import { isAegisError } from "../errors/registry.ts";
import { assertBudgetCharge, windowBounds } from "./budget-window.ts";

const key = { tenant: "acme", agent: "finance-agent", name: "daily-spend" };

describe("windowBounds", () => {
  it.each([
    // A daily window starts at UTC midnight whatever the time of day.
    ["2025-03-04T17:45:12.345Z", 86_400, "2025-03-04T00:00:00.000Z", "2025-03-05T00:00:00.000Z"],
    ["2025-03-04T00:00:00.000Z", 86_400, "2025-03-04T00:00:00.000Z", "2025-03-05T00:00:00.000Z"],
    ["2025-03-04T23:59:59.999Z", 86_400, "2025-03-04T00:00:00.000Z", "2025-03-05T00:00:00.000Z"],
    ["2025-03-04T17:45:12.345Z", 3_600, "2025-03-04T17:00:00.000Z", "2025-03-04T18:00:00.000Z"],
    ["2025-03-04T17:45:12.345Z", 60, "2025-03-04T17:45:00.000Z", "2025-03-04T17:46:00.000Z"],
    // 7 days from the epoch (a Thursday), not from a calendar week.
    ["2025-03-04T17:45:12.345Z", 604_800, "2025-02-27T00:00:00.000Z", "2025-03-06T00:00:00.000Z"],
  ])("at %s a %ss window is [%s, %s)", (now, seconds, start, end) => {
    const bounds = windowBounds(Date.parse(now), seconds);
    expect(new Date(bounds.start).toISOString()).toBe(start);
    expect(new Date(bounds.end).toISOString()).toBe(end);
  });
});

describe("assertBudgetCharge", () => {
  it.each([
    ["zero window", { windowSeconds: 0, cost: 1, limit: 10 }],
    ["fractional window", { windowSeconds: 1.5, cost: 1, limit: 10 }],
    ["negative cost", { windowSeconds: 60, cost: -1, limit: 10 }],
    ["NaN cost", { windowSeconds: 60, cost: Number.NaN, limit: 10 }],
    ["infinite limit", { windowSeconds: 60, cost: 1, limit: Number.POSITIVE_INFINITY }],
  ])("rejects a %s with AEGIS_ERR_STATE", (_name, charge) => {
    let thrown: unknown;
    try {
      assertBudgetCharge({ key, ...charge });
    } catch (error) {
      thrown = error;
    }
    expect(isAegisError(thrown, "AEGIS_ERR_STATE")).toBe(true);
  });

  it("accepts a fractional cost and a zero limit", () => {
    expect(() => assertBudgetCharge({ key, windowSeconds: 60, cost: 12.5, limit: 0 })).not.toThrow();
  });
});
