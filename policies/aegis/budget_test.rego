package aegis.budget_test

import data.aegis.test_fixtures as fx

daily_spend(cost, spent) := {"name": "daily-spend", "cost": cost, "limit": 20000, "window_seconds": 86400, "spent": spent}

hourly_calls(spent) := {"name": "hourly-calls", "cost": 1, "limit": 100, "window_seconds": 3600, "spent": spent}

daily_spend_exceeded := {"reason": "budget_exceeded", "rule_id": "acme/finance-agent/budgets/daily-spend"}

hourly_calls_exceeded := {"reason": "budget_exceeded", "rule_id": "acme/finance-agent/budgets/hourly-calls"}

payment(amount, budgets) := fx.with_fields(fx.payment, {"params": {"amount": amount}, "budgets": budgets})

test_charges_list_every_applicable_budget_in_policy_order if {
	decision := data.aegis.decision with input as payment(1200, {"daily-spend": {"spent": 300}, "hourly-calls": {"spent": 7}}) with data.tenants as fx.tenants
	decision.outcome == "allow"
	decision.budget_charges == [daily_spend(1200, 300), hourly_calls(7)]
}

test_spending_that_reaches_the_limit_exactly_is_allowed if {
	decision := data.aegis.decision with input as payment(5000, {"daily-spend": {"spent": 15000}}) with data.tenants as fx.tenants
	decision.outcome == "allow"
	decision.deny_reasons == []
}

test_spending_over_the_limit_is_denied_with_the_budget_rule_id if {
	decision := data.aegis.decision with input as payment(5000, {"daily-spend": {"spent": 15000.01}}) with data.tenants as fx.tenants
	decision.outcome == "deny"
	decision.reason == "budget_exceeded"
	decision.rule_id == "acme/finance-agent/budgets/daily-spend"
	decision.deny_reasons == [daily_spend_exceeded]
	decision.budget_charges[0] == daily_spend(5000, 15000.01)
}

test_a_decimal_string_amount_is_charged_as_its_number if {
	decision := data.aegis.decision with input as payment("12.50", {}) with data.tenants as fx.tenants
	decision.budget_charges[0].cost == 12.5
}

test_absent_counters_count_as_nothing_spent if {
	decision := data.aegis.decision with input as object.remove(payment(20000, {}), {"budgets"}) with data.tenants as fx.tenants
	decision.budget_charges == [daily_spend(20000, 0), hourly_calls(0)]
	decision.reason == "approval_needed"
}

test_count_budget_charges_one_per_call if {
	data.aegis.decision.outcome == "allow" with input as payment(10, {"hourly-calls": {"spent": 99}}) with data.tenants as fx.tenants
	decision := data.aegis.decision with input as payment(10, {"hourly-calls": {"spent": 100}}) with data.tenants as fx.tenants
	decision.deny_reasons == [hourly_calls_exceeded]
}

# hourly-calls names no tool (all tools); daily-spend names stripe-payments only.
test_tool_scoped_budget_does_not_apply_to_other_tools if {
	decision := data.aegis.decision with input as fx.with_fields(fx.docs_search, {"params": {"amount": 1e9}, "budgets": {"daily-spend": {"spent": 1e9}}}) with data.tenants as fx.tenants
	decision.budget_charges == [hourly_calls(0)]
	decision.deny_reasons == []
}

test_all_tools_budget_applies_to_every_tool if {
	decision := data.aegis.decision with input as fx.with_fields(fx.docs_search, {"budgets": {"hourly-calls": {"spent": 100}}}) with data.tenants as fx.tenants
	decision.deny_reasons == [hourly_calls_exceeded]
}

test_all_tools_budget_applies_to_an_unlisted_tool_too if {
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, {"tool": "github", "budgets": {"hourly-calls": {"spent": 100}}}) with data.tenants as fx.tenants
	fx.reasons(decision) == ["tool_not_allowed", "budget_exceeded"]
}

test_several_exceeded_budgets_are_all_reported if {
	decision := data.aegis.decision with input as payment(100, {"daily-spend": {"spent": 20000}, "hourly-calls": {"spent": 100}}) with data.tenants as fx.tenants
	decision.deny_reasons == [daily_spend_exceeded, hourly_calls_exceeded]
}

# Deny beats approval_needed.
test_exceeded_budget_overrides_approval_needed if {
	decision := data.aegis.decision with input as payment(6000, {"daily-spend": {"spent": 15000}}) with data.tenants as fx.tenants
	decision.outcome == "deny"
	decision.reason == "budget_exceeded"
	decision.approval == null
}

test_over_hard_limit_and_over_budget_report_both_in_order if {
	decision := data.aegis.decision with input as payment(60000, {}) with data.tenants as fx.tenants
	fx.reasons(decision) == ["blocked_over_hard_limit", "budget_exceeded"]
}

# The amount rule already rejects the value; the spend budget adds nothing and charges nothing.
test_invalid_amount_is_reported_once_and_not_charged if {
	decision := data.aegis.decision with input as payment("1e3", {}) with data.tenants as fx.tenants
	decision.deny_reasons == [{"reason": "invalid_amount", "rule_id": fx.stripe_rule_ids.invalid_amount}]
	decision.budget_charges == [hourly_calls(0)]
}

ops(params) := {
	"tenant": "acme", "agent": "ops-agent", "tool": "cloud-api", "action": "provision",
	"params": params, "host": "api.stripe.com", "budgets": {"cloud-spend": {"spent": 100}},
}

# cloud-api has no amount conditions, so its budget guards the spend value itself.
test_spend_budget_on_a_tool_without_amount_rule_charges_the_value if {
	decision := data.aegis.decision with input as ops({"cost": "25.5"}) with data.tenants as fx.tenants
	decision.outcome == "allow"
	decision.budget_charges == [{"name": "cloud-spend", "cost": 25.5, "limit": 500, "window_seconds": 86400, "spent": 100}]
}

test_spend_budget_denies_an_unusable_value_the_tool_does_not_check if {
	decision := data.aegis.decision with input as ops({"cost": "1e9"}) with data.tenants as fx.tenants
	decision.deny_reasons == [{"reason": "invalid_amount", "rule_id": "acme/ops-agent/budgets/cloud-spend"}]
	decision.budget_charges == []
}

test_spend_budget_skips_a_call_without_its_parameter if {
	decision := data.aegis.decision with input as ops({}) with data.tenants as fx.tenants
	decision.outcome == "allow"
	decision.budget_charges == []
}

test_spend_budget_on_a_tool_without_amount_rule_denies_overspending if {
	decision := data.aegis.decision with input as ops({"cost": 400.01}) with data.tenants as fx.tenants
	decision.deny_reasons == [{"reason": "budget_exceeded", "rule_id": "acme/ops-agent/budgets/cloud-spend"}]
}

test_agent_without_budgets_has_no_charges if {
	decision := data.aegis.decision with input as fx.with_fields(fx.docs_search, {"agent": "planner"}) with data.tenants as fx.tenants
	decision.budget_charges == []
}
