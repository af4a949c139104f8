import { describe, expect, it } from "vitest";
import type { BudgetCharge } from "../../../src/state/budget-store.ts";
import { describeEachBackend, T0, DAY, rejection, expectAegisError, spend, charge } from "./contract-support.ts";

describeEachBackend("budgets", (store) => {
  const dayStart = Date.parse("2030-01-15T00:00:00.000Z");
  const nextDay = dayStart + DAY * 1000;

  it("reads 0 for a budget never charged", async () => {
    expect(await store().budgets.readBudgets([{ key: spend, windowSeconds: DAY }], T0)).toEqual([0]);
    expect(await store().budgets.readBudgets([], T0)).toEqual([]);
  });

  it("charges within the limit and reports what remains", async () => {
    expect(await store().budgets.reserveBudgets([charge(15_000, 20_000)], T0)).toEqual({ ok: true, remaining: [5_000] });
    expect(await store().budgets.readBudgets([{ key: spend, windowSeconds: DAY }], T0)).toEqual([15_000]);
    expect(await store().budgets.reserveBudgets([charge(5_000, 20_000)], T0)).toEqual({ ok: true, remaining: [0] });
    expect(await store().budgets.reserveBudgets([charge(0.01, 20_000)], T0)).toEqual({ ok: false, exceeded: 0 });
    expect(await store().budgets.readBudgets([{ key: spend, windowSeconds: DAY }], T0)).toEqual([20_000]);
  });

  it("applies all charges or none", async () => {
    const perCall: BudgetCharge = { key: { ...spend, name: "calls" }, windowSeconds: 60, cost: 1, limit: 100 };
    const result = await store().budgets.reserveBudgets([perCall, charge(25_000, 20_000)], T0);
    expect(result).toEqual({ ok: false, exceeded: 1 });
    expect(await store().budgets.readBudgets([perCall, { key: spend, windowSeconds: DAY }], T0)).toEqual([0, 0]);
    expect(await store().budgets.reserveBudgets([perCall, charge(2_000, 20_000)], T0)).toEqual({ ok: true, remaining: [99, 18_000] });
  });

  it("counts a counter named twice in one reservation with both costs", async () => {
    expect(await store().budgets.reserveBudgets([charge(5_000, 8_000), charge(5_000, 8_000)], T0)).toEqual({ ok: false, exceeded: 1 });
    expect(await store().budgets.readBudgets([{ key: spend, windowSeconds: DAY }], T0)).toEqual([0]);
    expect(await store().budgets.reserveBudgets([charge(5_000, 10_000), charge(5_000, 10_000)], T0)).toEqual({
      ok: true,
      remaining: [0, 0],
    });
  });

  it("rolls over to an empty window at the UTC window boundary", async () => {
    await store().budgets.reserveBudgets([charge(20_000, 20_000)], dayStart);
    expect(await store().budgets.readBudgets([{ key: spend, windowSeconds: DAY }], nextDay - 1)).toEqual([20_000]);
    expect(await store().budgets.reserveBudgets([charge(1, 20_000)], nextDay - 1)).toEqual({ ok: false, exceeded: 0 });
    expect(await store().budgets.readBudgets([{ key: spend, windowSeconds: DAY }], nextDay)).toEqual([0]);
    expect(await store().budgets.reserveBudgets([charge(1, 20_000)], nextDay)).toEqual({ ok: true, remaining: [19_999] });
  });

  it("keeps windows of different sizes, agents, tenants and names apart", async () => {
    await store().budgets.reserveBudgets([charge(100, 1_000)], dayStart);
    const others: BudgetCharge[] = [
      charge(1, 1_000, { windowSeconds: 3_600 }),
      charge(1, 1_000, { key: { ...spend, agent: "ops-agent" } }),
      charge(1, 1_000, { key: { ...spend, tenant: "globex" } }),
      charge(1, 1_000, { key: { ...spend, name: "weekly-spend" } }),
    ];
    expect(await store().budgets.readBudgets(others, dayStart)).toEqual([0, 0, 0, 0]);
    expect(await store().budgets.readBudgets([charge(0, 0)], dayStart)).toEqual([100]);
  });

  it("lets decimal costs reach their limit exactly", async () => {
    const cents = (cost: number) => charge(cost, 0.3, { key: { ...spend, name: "cents" } });
    expect((await store().budgets.reserveBudgets([cents(0.1)], T0)).ok).toBe(true);
    expect((await store().budgets.reserveBudgets([cents(0.2)], T0)).ok).toBe(true);
    expect(await store().budgets.reserveBudgets([cents(0.01)], T0)).toEqual({ ok: false, exceeded: 0 });
  });

  it("accepts an empty reservation", async () => {
    expect(await store().budgets.reserveBudgets([], T0)).toEqual({ ok: true, remaining: [] });
  });

  it("rejects a malformed charge without charging anything", async () => {
    const error = await rejection(store().budgets.reserveBudgets([charge(1, 10), charge(-5, 10)], T0));
    expectAegisError(error, "AEGIS_ERR_STATE");
    expect(await store().budgets.readBudgets([charge(0, 0)], T0)).toEqual([0]);
  });

  it("never overshoots under concurrent reservations", async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => store().budgets.reserveBudgets([charge(5_000, 20_000)], T0)));
    expect(results.filter((result) => result.ok)).toHaveLength(4);
    expect(await store().budgets.readBudgets([charge(0, 0)], T0)).toEqual([20_000]);
  });

  describe("windows", () => {
    it("aligns every window size to the UTC epoch, not to the first charge", async () => {
      const sevenSeconds = (cost: number) => charge(cost, 10, { windowSeconds: 7 });
      const start = Math.floor(T0 / 7_000) * 7_000;
      await store().budgets.reserveBudgets([sevenSeconds(4)], start + 6_999);
      expect(await store().budgets.readBudgets([sevenSeconds(0)], start)).toEqual([4]);
      expect(await store().budgets.readBudgets([sevenSeconds(0)], start - 1)).toEqual([0]);
      expect(await store().budgets.readBudgets([sevenSeconds(0)], start + 7_000)).toEqual([0]);
    });

    it("rejects a window that is not a positive whole number of seconds, and a non-finite now", async () => {
      for (const windowSeconds of [0, -60, 1.5, Number.NaN]) {
        expectAegisError(await rejection(store().budgets.readBudgets([{ key: spend, windowSeconds }], T0)), "AEGIS_ERR_STATE");
        expectAegisError(await rejection(store().budgets.reserveBudgets([charge(1, 10, { windowSeconds })], T0)), "AEGIS_ERR_STATE");
      }
      expectAegisError(await rejection(store().budgets.readBudgets([{ key: spend, windowSeconds: DAY }], Number.NaN)), "AEGIS_ERR_STATE");
      expectAegisError(await rejection(store().budgets.reserveBudgets([charge(1, 10)], Number.POSITIVE_INFINITY)), "AEGIS_ERR_STATE");
      expectAegisError(await rejection(store().budgets.releaseBudgets([charge(1, 10)], Number.NaN)), "AEGIS_ERR_STATE");
    });
  });

  describe("reservation results", () => {
    it("names the first charge that does not fit when several do not", async () => {
      const calls: BudgetCharge = { key: { ...spend, name: "calls" }, windowSeconds: 60, cost: 2, limit: 1 };
      expect(await store().budgets.reserveBudgets([charge(1, 10), calls, charge(50, 10)], T0)).toEqual({ ok: false, exceeded: 1 });
    });

    it("lets a zero cost through at a zero limit and at a spent-out one", async () => {
      expect(await store().budgets.reserveBudgets([charge(0, 0)], T0)).toEqual({ ok: true, remaining: [0] });
      expect(await store().budgets.reserveBudgets([charge(10, 10)], T0)).toEqual({ ok: true, remaining: [0] });
      expect(await store().budgets.reserveBudgets([charge(0, 10)], T0)).toEqual({ ok: true, remaining: [0] });
      expect(await store().budgets.reserveBudgets([charge(0.5, 10)], T0)).toEqual({ ok: false, exceeded: 0 });
    });

    it("refuses even a zero cost once the counter is past a lowered limit, charging nothing", async () => {
      await store().budgets.reserveBudgets([charge(80, 100)], T0);
      expect(await store().budgets.reserveBudgets([charge(0, 50)], T0)).toEqual({ ok: false, exceeded: 0 });
      expect(await store().budgets.readBudgets([charge(0, 0)], T0)).toEqual([80]);
    });

    it("sums decimal costs exactly as IEEE doubles do, on read too", async () => {
      const cents = (cost: number) => charge(cost, 1, { key: { ...spend, name: "cents" } });
      await store().budgets.reserveBudgets([cents(0.1)], T0);
      const second = await store().budgets.reserveBudgets([cents(0.2)], T0);
      expect(second).toEqual({ ok: true, remaining: [1 - (0.1 + 0.2)] });
      expect(await store().budgets.readBudgets([cents(0)], T0)).toEqual([0.1 + 0.2]);
      await store().budgets.releaseBudgets([cents(0.1)], T0);
      expect(await store().budgets.readBudgets([cents(0)], T0)).toEqual([0.1 + 0.2 - 0.1]);
    });
  });

  describe("release", () => {
    it("gives a reservation back in the same window", async () => {
      await store().budgets.reserveBudgets([charge(15_000, 20_000)], T0);
      await store().budgets.releaseBudgets([charge(6_000, 20_000)], T0 + 1);
      expect(await store().budgets.readBudgets([charge(0, 0)], T0 + 2)).toEqual([9_000]);
      expect(await store().budgets.reserveBudgets([charge(11_000, 20_000)], T0 + 3)).toEqual({ ok: true, remaining: [0] });
    });

    it("never goes below 0", async () => {
      await store().budgets.reserveBudgets([charge(100, 1_000)], T0);
      await store().budgets.releaseBudgets([charge(250, 1_000)], T0);
      expect(await store().budgets.readBudgets([charge(0, 0)], T0)).toEqual([0]);
      expect(await store().budgets.reserveBudgets([charge(1_000, 1_000)], T0)).toEqual({ ok: true, remaining: [0] });
    });

    it("releases a counter named twice by both costs", async () => {
      await store().budgets.reserveBudgets([charge(300, 1_000), charge(200, 1_000)], T0);
      await store().budgets.releaseBudgets([charge(300, 1_000), charge(200, 1_000)], T0);
      expect(await store().budgets.readBudgets([charge(0, 0)], T0)).toEqual([0]);
    });

    it("does nothing to a counter never charged, and touches only the window `now` falls in (the previous one is kept a clock grace past its end)", async () => {
      await store().budgets.releaseBudgets([charge(5, 1_000)], T0);
      expect(await store().budgets.readBudgets([charge(0, 0)], T0)).toEqual([0]);
      await store().budgets.reserveBudgets([charge(100, 1_000)], dayStart);
      await store().budgets.reserveBudgets([charge(40, 1_000)], nextDay);
      await store().budgets.releaseBudgets([charge(100, 1_000)], nextDay);
      expect(await store().budgets.readBudgets([charge(0, 0)], nextDay - 1)).toEqual([100]);
      expect(await store().budgets.readBudgets([charge(0, 0)], nextDay)).toEqual([0]);
    });

    it("accepts an empty release and rejects a malformed one without releasing anything", async () => {
      await store().budgets.reserveBudgets([charge(100, 1_000)], T0);
      await store().budgets.releaseBudgets([], T0);
      expectAegisError(await rejection(store().budgets.releaseBudgets([charge(50, 1_000), charge(-1, 1_000)], T0)), "AEGIS_ERR_STATE");
      expect(await store().budgets.readBudgets([charge(0, 0)], T0)).toEqual([100]);
    });
  });
});
