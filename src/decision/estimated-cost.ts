// estimated_cost, the FinOps field: what one call costs, from its budget charges. Only spend
// budgets (those summing a parameter) count; count budgets charge 1 per call, which is no cost.
// Several spend budgets charge the same call (a daily and a monthly one on `amount`), so the
// cost is the largest of their charges, not their sum.
import type { BudgetCharge } from "./types.ts";

export function estimatedCost(charges: readonly BudgetCharge[], budgets: readonly { readonly name: string; readonly sum_param: string | null }[]): number | null {
  let cost: number | null = null;
  for (const c of charges) {
    const spend = budgets.some((b) => b.name === c.name && b.sum_param !== null);
    if (spend && (cost === null || c.cost > cost)) cost = c.cost;
  }
  return cost;
}
