// Budgets around one evaluation, shared by the ext_authz Check and the embedded SDK so both
// enforce them alike: read the agent's counters before evaluation (Rego compares them), and
// reserve the decision's charges atomically only for a call that goes through, so concurrent
// calls never overshoot; a lost race turns the allow into budget_exceeded.
import { BUILTIN_RULE_IDS, type Decision } from "../decision/types.ts";
import type { BudgetStore } from "../state/budget-store.ts";
import type { AgentView } from "./policy-context.ts";

export interface BudgetOwner {
  readonly tenant: string;
  readonly agent: string;
}

/** Spent per budget name in the current window, as the policy input's `budgets`. */
export async function readBudgetCounters(budgets: BudgetStore, owner: BudgetOwner | null, agent: AgentView, now: number): Promise<Record<string, { spent: number }>> {
  if (owner === null || agent.budgets.length === 0) return {};
  const spent = await budgets.readBudgets(agent.budgets.map((b) => ({ key: { tenant: owner.tenant, agent: owner.agent, name: b.name }, windowSeconds: b.window_seconds })), now);
  return Object.fromEntries(agent.budgets.map((b, i) => [b.name, { spent: spent[i] ?? 0 }]));
}

export interface BudgetOutcome {
  /** The decision as given, or turned into a budget_exceeded deny when the reservation lost. */
  readonly decision: Decision;
  /** Budget left per name after this call's reservation; undefined when nothing was reserved. */
  readonly budgetRemaining: Record<string, number> | undefined;
}

/** Reserves the charges of an allowing decision; anything else passes through untouched. */
export async function reserveBudgetCharges(budgets: BudgetStore, owner: BudgetOwner | null, agent: AgentView, decision: Decision, now: number): Promise<BudgetOutcome> {
  const charges = decision.budget_charges;
  if (!decision.allow || charges.length === 0 || owner === null) return { decision, budgetRemaining: undefined };
  const key = (name: string) => ({ tenant: owner.tenant, agent: owner.agent, name });
  const reservation = await budgets.reserveBudgets(charges.map((c) => ({ key: key(c.name), windowSeconds: c.window_seconds, cost: c.cost, limit: c.limit })), now);
  if (reservation.ok) {
    return { decision, budgetRemaining: Object.fromEntries(charges.map((c, i) => [c.name, reservation.remaining[i] ?? 0])) };
  }
  const over = charges[reservation.exceeded];
  const ruleId = agent.budgets.find((b) => b.name === over?.name)?.rule_id ?? BUILTIN_RULE_IDS.unknown_agent;
  return {
    decision: { ...decision, outcome: "deny", allow: false, reason: "budget_exceeded", rule_id: ruleId, deny_reasons: [{ reason: "budget_exceeded", rule_id: ruleId }], redactions: { headers: [], query: [], params: [] } },
    budgetRemaining: undefined,
  };
}
