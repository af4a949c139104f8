# Budgets of the agent. The host reads each budget's spending in its current window into
# input.budgets and, after an allow, reserves the charges listed here atomically.
package aegis.budget

import data.aegis.amount
import data.aegis.identity
import data.aegis.request
import data.aegis.rule_ids

# A budget without a tool covers every tool of the agent. MCP protocol traffic (initialize,
# lists, pings) is no tool call and is never charged.
applies(budget) if {
	budget.tool == null
	not request.mcp_protocol
}

applies(budget) if {
	budget.tool == request.tool
	not request.mcp_protocol
}

# A count budget charges 1 per call; a spend budget charges the value of its parameter.
cost(budget) := 1 if budget.sum_param == null

cost(budget) := amount.value(request.params[budget.sum_param]) if is_string(budget.sum_param)

# Budgets in the agent's list order, so the charges and their denies are deterministic.
# A spend budget whose parameter is absent from the call has nothing to charge.
charged := [{"budget": budget, "cost": charge} |
	some budget in identity.agent_config.budgets
	applies(budget)
	charge := cost(budget)
]

charges := [{
	"name": entry.budget.name,
	"cost": entry.cost,
	"limit": entry.budget.limit,
	"window_seconds": entry.budget.window_seconds,
	"spent": request.spent(entry.budget.name),
} |
	some entry in charged
]

# The same rule as the state store's reservation (src/state/budget-fit.ts): a relative tolerance
# of 1e-12 lets decimal sums reach their limit exactly. It also keeps the two evaluators in step:
# WASM adds exactly in decimal while the OPA interpreter rounds to binary floating point, so
# without it they disagree on costs far below a currency unit (found by the differential test).
denies contains {"reason": "budget_exceeded", "rule_id": rule_ids.own(entry.budget, "budget_exceeded")} if {
	some entry in charged
	request.spent(entry.budget.name) + entry.cost > entry.budget.limit + (max([1, abs(entry.budget.limit)]) * 1e-12)
}

# A present but unusable spend value must not slip past the budget. When the tool's own
# amount rule already rejects that same parameter, the budget adds nothing.
denies contains {"reason": "invalid_amount", "rule_id": rule_ids.own(budget, "invalid_amount")} if {
	some budget in identity.agent_config.budgets
	applies(budget)
	is_string(budget.sum_param)
	raw := request.params[budget.sum_param]
	not amount.value(raw)
	not amount_rule_rejects(budget.sum_param)
}

amount_rule_rejects(param) if {
	amount.status == "invalid_amount"
	amount.conditions.param == param
}
