import type { DatabaseSync } from "node:sqlite";
import { chargeFits, remainingBudget } from "../budget-fit.ts";
import type { BudgetReservation, BudgetStore, BudgetWindow } from "../budget-store.ts";
import { assertBudgetCharge, assertBudgetWindow, assertNow, windowBounds } from "../budget-window.ts";
import { guarded } from "../state-errors.ts";
import { num } from "./sqlite-rows.ts";
import type { Sweep } from "./sqlite-sweeper.ts";
import { immediate } from "./sqlite-transaction.ts";

export function sqliteBudgets(db: DatabaseSync, sweep: Sweep): BudgetStore {
  const selectSpent = db.prepare(`SELECT spent FROM budget_windows
    WHERE tenant = :tenant AND agent = :agent AND name = :name
      AND window_seconds = :window_seconds AND window_start = :window_start`);
  const addSpent = db.prepare(`INSERT INTO budget_windows (tenant, agent, name, window_seconds, window_start, window_end, spent)
    VALUES (:tenant, :agent, :name, :window_seconds, :window_start, :window_end, :cost)
    ON CONFLICT (tenant, agent, name, window_seconds, window_start) DO UPDATE SET spent = spent + excluded.spent`);
  const releaseSpent = db.prepare(`UPDATE budget_windows SET spent = max(0, spent - :cost)
    WHERE tenant = :tenant AND agent = :agent AND name = :name AND window_seconds = :window_seconds AND window_start = :window_start`);

  const spentIn = (params: ReturnType<typeof budgetParams>): number => {
    const row = selectSpent.get(params);
    return row === undefined ? 0 : num(row, "spent");
  };

  return {
    readBudgets: (windows, now) =>
      guarded("readBudgets", () => {
        assertNow(now);
        windows.forEach(assertBudgetWindow);
        return windows.map((window) => spentIn(budgetParams(window, now)));
      }),

    reserveBudgets: (charges, now) =>
      guarded("reserveBudgets", () => {
        assertNow(now);
        charges.forEach(assertBudgetCharge);
        return immediate(db, (): BudgetReservation => {
          sweep(now);
          // Two charges may name the same counter: the second sees the first one's cost.
          const spentAfter = new Map<string, number>();
          const counters = charges.map((charge) => {
            const params = budgetParams(charge, now);
            const id = JSON.stringify(Object.values(params));
            if (!spentAfter.has(id)) spentAfter.set(id, spentIn(params));
            return { id, params };
          });
          for (const [index, charge] of charges.entries()) {
            const counter = counters[index]!;
            const spent = spentAfter.get(counter.id)!;
            if (!chargeFits(spent, charge.cost, charge.limit)) return { ok: false, exceeded: index };
            spentAfter.set(counter.id, spent + charge.cost);
          }
          for (const [index, charge] of charges.entries()) {
            addSpent.run({ ...counters[index]!.params, window_end: windowBounds(now, charge.windowSeconds).end, cost: charge.cost });
          }
          return {
            ok: true,
            remaining: charges.map((charge, index) => remainingBudget(charge.limit, spentAfter.get(counters[index]!.id)!)),
          };
        });
      }),

    releaseBudgets: (charges, now) =>
      guarded("releaseBudgets", () => {
        assertNow(now);
        charges.forEach(assertBudgetCharge);
        immediate(db, () => {
          for (const charge of charges) releaseSpent.run({ ...budgetParams(charge, now), cost: charge.cost });
        });
      }),
  };
}

function budgetParams(window: BudgetWindow, now: number) {
  return {
    tenant: window.key.tenant,
    agent: window.key.agent,
    name: window.key.name,
    window_seconds: window.windowSeconds,
    window_start: windowBounds(now, window.windowSeconds).start,
  };
}
