import type { Redis } from "ioredis";
import { BUDGET_TOLERANCE, remainingBudget } from "../budget-fit.ts";
import type { BudgetReservation, BudgetStore, BudgetWindow } from "../budget-store.ts";
import { assertBudgetCharge, assertBudgetWindow, assertNow, windowBounds } from "../budget-window.ts";
import { guarded } from "../state-errors.ts";
import { CLOCK_GRACE_MS } from "../clock-grace.ts";
import { redisKeys } from "./redis-keys.ts";
import type { RedisScripts } from "./redis-scripts.ts";

export function redisBudgets(client: Redis, scripts: RedisScripts): BudgetStore {
  return {
    readBudgets: (windows, now) =>
      guarded("readBudgets", async () => {
        assertNow(now);
        windows.forEach(assertBudgetWindow);
        if (windows.length === 0) return [];
        const values = await client.mget(windows.map((window) => budgetKey(window, now)));
        return values.map((value) => (value === null ? 0 : Number(value)));
      }),

    reserveBudgets: (charges, now) =>
      guarded("reserveBudgets", async (): Promise<BudgetReservation> => {
        assertNow(now);
        charges.forEach(assertBudgetCharge);
        if (charges.length === 0) return { ok: true, remaining: [] };
        const keys = charges.map((charge) => budgetKey(charge, now));
        const args = charges.flatMap((charge) => [
          String(charge.cost),
          String(charge.limit),
          windowBounds(now, charge.windowSeconds).end + CLOCK_GRACE_MS,
        ]);
        const [ok, result] = (await scripts.aegisReserveBudgets(keys, [BUDGET_TOLERANCE, ...args])) as [0, number] | [1, string[]];
        if (ok === 0) return { ok: false, exceeded: result };
        // A counter charged twice reports what is left after both charges.
        const spentAfter = new Map(keys.map((key, index) => [key, Number(result[index])]));
        return { ok: true, remaining: charges.map((charge, index) => remainingBudget(charge.limit, spentAfter.get(keys[index]!)!)) };
      }),

    releaseBudgets: (charges, now) =>
      guarded("releaseBudgets", async () => {
        assertNow(now);
        charges.forEach(assertBudgetCharge);
        if (charges.length === 0) return;
        await scripts.aegisReleaseBudgets(charges.map((charge) => budgetKey(charge, now)), charges.map((charge) => String(charge.cost)));
      }),
  };
}

function budgetKey(window: BudgetWindow, now: number): string {
  const { tenant, agent, name } = window.key;
  return redisKeys.budget(tenant, agent, name, window.windowSeconds, windowBounds(now, window.windowSeconds).start);
}
