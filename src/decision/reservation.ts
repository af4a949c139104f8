// Budget reservations in the decision: a call Rego let through against the counters it read may
// still lose the atomic reservation to a concurrent call; it is then denied budget_exceeded.
// Pure; the host reserves at the edge (src/authz/budget-counters.ts).
import type { BudgetReservation } from "../state/budget-store.ts";
import { BUILTIN_RULE_IDS, type BudgetCharge, type Decision } from "./types.ts";

const NO_REDACTIONS = { headers: [], query: [], params: [] } as const;

/** The decision after reserving its charges: unchanged when they fit, else a budget_exceeded deny under the rule of the budget that did not. */
export function applyReservation(decision: Decision, reservation: BudgetReservation, budgets: readonly { readonly name: string; readonly rule_id: string }[]): Decision {
  if (reservation.ok) return decision;
  const over = decision.budget_charges[reservation.exceeded];
  const rule_id = budgets.find((b) => b.name === over?.name)?.rule_id ?? BUILTIN_RULE_IDS.unknown_agent;
  return { ...decision, outcome: "deny", allow: false, reason: "budget_exceeded", rule_id, deny_reasons: [{ reason: "budget_exceeded", rule_id }], redactions: NO_REDACTIONS };
}

/** Budget left per budget name after a reservation that fit, for x-aegis-budget-remaining. */
export function budgetRemaining(charges: readonly BudgetCharge[], reservation: BudgetReservation & { readonly ok: true }): Record<string, number> {
  const remaining: Record<string, number> = {};
  for (let i = 0; i < charges.length; i++) remaining[charges[i]!.name] = reservation.remaining[i] ?? 0;
  return remaining;
}
