import { AegisError } from "../errors/registry.ts";
import type { BudgetCharge, BudgetWindow } from "./budget-store.ts";

export interface WindowBounds {
  /** Epoch ms, inclusive. */
  readonly start: number;
  /** Epoch ms, exclusive. */
  readonly end: number;
}

// Windows are aligned to the UTC epoch rather than to the first charge, so every replica and every
// restart computes the same window from the clock alone, with no stored "window opened at" state.
export function windowBounds(now: number, windowSeconds: number): WindowBounds {
  const size = windowSeconds * 1000;
  const start = Math.floor(now / size) * size;
  return { start, end: start + size };
}

export function assertBudgetWindow(window: BudgetWindow): void {
  if (!Number.isSafeInteger(window.windowSeconds) || window.windowSeconds <= 0) {
    throw new AegisError("AEGIS_ERR_STATE", `budget ${window.key.name}: window_seconds must be a positive integer`, {
      details: { budget: window.key, windowSeconds: window.windowSeconds },
    });
  }
}

export function assertBudgetCharge(charge: BudgetCharge): void {
  assertBudgetWindow(charge);
  for (const [field, value] of [["cost", charge.cost], ["limit", charge.limit]] as const) {
    if (!Number.isFinite(value) || value < 0) {
      throw new AegisError("AEGIS_ERR_STATE", `budget ${charge.key.name}: ${field} must be a finite number ≥ 0`, {
        details: { budget: charge.key, [field]: value },
      });
    }
  }
}

export function assertNow(now: number): void {
  if (!Number.isFinite(now)) throw new AegisError("AEGIS_ERR_STATE", "now must be finite epoch milliseconds");
}
