// Budgets around one evaluation, the I/O half (the decision half is src/decision/reservation.ts):
// read the agent's counters before evaluation (Rego compares them), and reserve a decision's
// charges atomically only for a call that goes through, so concurrent calls never overshoot.
import type { BudgetCharge } from "../decision/types.ts";
import type { BudgetReservation, BudgetStore } from "../state/budget-store.ts";
import type { AgentView } from "./policy-context.ts";


export interface BudgetOwner {
  readonly tenant: string;
  readonly agent: string;
}

const NOTHING_SPENT: Readonly<Record<string, { spent: number }>> = Object.freeze({});

/** Spent per budget name in the current window, as the policy input's `budgets`. */
export async function readBudgetCounters(store: BudgetStore, owner: BudgetOwner | null, agent: AgentView, now: number): Promise<Readonly<Record<string, { spent: number }>>> {
  if (owner === null || agent.budgets.length === 0) return NOTHING_SPENT;
  const spent = await store.readBudgets(agent.budgets.map((b) => ({ key: { tenant: owner.tenant, agent: owner.agent, name: b.name }, windowSeconds: b.window_seconds })), now);
  return Object.fromEntries(agent.budgets.map((b, i) => [b.name, { spent: spent[i] ?? 0 }]));
}

/** Reserves the charges atomically; null when there is nothing to reserve (no charge, or no owner to charge). */
export async function reserveCharges(store: BudgetStore, owner: BudgetOwner | null, charges: readonly BudgetCharge[], now: number): Promise<BudgetReservation | null> {
  if (charges.length === 0 || owner === null) return null;
  return store.reserveBudgets(charges.map((c) => ({ key: { tenant: owner.tenant, agent: owner.agent, name: c.name }, windowSeconds: c.window_seconds, cost: c.cost, limit: c.limit })), now);
}

/** Gives back what reserveCharges took, for a call reserved for but then not let through. */
export async function releaseCharges(store: BudgetStore, owner: BudgetOwner | null, charges: readonly BudgetCharge[], now: number): Promise<void> {
  if (charges.length === 0 || owner === null) return;
  await store.releaseBudgets(charges.map((c) => ({ key: { tenant: owner.tenant, agent: owner.agent, name: c.name }, windowSeconds: c.window_seconds, cost: c.cost, limit: c.limit })), now);
}
