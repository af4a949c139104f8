// A charge fits when spent + cost ≤ limit. Costs are IEEE doubles, so decimal amounts pick up
// binary rounding (0.1 + 0.2 = 0.30000000000000004); a relative tolerance far below any currency
// unit lets such sums reach their limit exactly instead of being refused. The Redis Lua script
// applies the same rule (see redis-scripts.ts).
export const BUDGET_TOLERANCE = 1e-12;

export function chargeFits(spent: number, cost: number, limit: number): boolean {
  return spent + cost <= limit + Math.max(1, Math.abs(limit)) * BUDGET_TOLERANCE;
}

export function remainingBudget(limit: number, spent: number): number {
  return Math.max(0, limit - spent);
}
