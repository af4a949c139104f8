package aegis.amount_test

import data.aegis.test_fixtures as fx

stripe := fx.stripe_rule_ids

# Without finance-agent's budgets, whose limits would deny the larger amounts as well.
without_budgets := object.union(fx.tenants, {"acme": {"agents": {"finance-agent": {"budgets": []}}}})

# stripe-payments of finance-agent: T = 5000, H = 50000.
amounts := {
	"zero": {"amount": 0, "reason": "within_limit"},
	"small": {"amount": 1200, "reason": "within_limit"},
	"fraction below T": {"amount": 4999.99, "reason": "within_limit"},
	"exactly T": {"amount": 5000, "reason": "within_limit"},
	"T as a float": {"amount": 5000.0, "reason": "within_limit"},
	"just above T": {"amount": 5000.01, "reason": "approval_needed"},
	"between T and H": {"amount": 6000, "reason": "approval_needed"},
	"exactly H": {"amount": 50000, "reason": "approval_needed"},
	"just above H": {"amount": 50000.01, "reason": "blocked_over_hard_limit"},
	"far above H": {"amount": 1e12, "reason": "blocked_over_hard_limit"},
	"decimal string": {"amount": "12.50", "reason": "within_limit"},
	"integer string": {"amount": "100", "reason": "within_limit"},
	"string T": {"amount": "5000", "reason": "within_limit"},
	"string with leading zeros": {"amount": "0005000", "reason": "within_limit"},
	"string above T": {"amount": "6000", "reason": "approval_needed"},
	"string just above H": {"amount": "50000.01", "reason": "blocked_over_hard_limit"},
	"exponent string": {"amount": "1e3", "reason": "invalid_amount"},
	"empty string": {"amount": "", "reason": "invalid_amount"},
	"NaN string": {"amount": "NaN", "reason": "invalid_amount"},
	"Infinity string": {"amount": "Infinity", "reason": "invalid_amount"},
	"negative string": {"amount": "-5", "reason": "invalid_amount"},
	"plus-signed string": {"amount": "+5", "reason": "invalid_amount"},
	"padded string": {"amount": " 5", "reason": "invalid_amount"},
	"trailing dot": {"amount": "12.", "reason": "invalid_amount"},
	"leading dot": {"amount": ".5", "reason": "invalid_amount"},
	"thousands separator": {"amount": "1,000", "reason": "invalid_amount"},
	"hex string": {"amount": "0x10", "reason": "invalid_amount"},
	"currency string": {"amount": "$100", "reason": "invalid_amount"},
	"non-ASCII digits": {"amount": "١٠٠", "reason": "invalid_amount"},
	"negative number": {"amount": -1, "reason": "invalid_amount"},
	"small negative number": {"amount": -0.01, "reason": "invalid_amount"},
	"boolean": {"amount": true, "reason": "invalid_amount"},
	"null": {"amount": null, "reason": "invalid_amount"},
	"object": {"amount": {"value": 100}, "reason": "invalid_amount"},
	"array": {"amount": [100], "reason": "invalid_amount"},
	"largest amount": {"amount": 999999999999999, "reason": "blocked_over_hard_limit"},
	"10^15": {"amount": 1000000000000000, "reason": "invalid_amount"},
	"1e300": {"amount": 1e300, "reason": "invalid_amount"},
	"largest string amount": {"amount": "999999999999999.99", "reason": "blocked_over_hard_limit"},
	"16-digit string": {"amount": "1000000000000000", "reason": "invalid_amount"},
	"16-digit string with a leading zero": {"amount": "0100000000000000", "reason": "invalid_amount"},
	"400-digit string": {"amount": "1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", "reason": "invalid_amount"},
	"1e400 as the host keeps it": {"amount": "1e400", "reason": "invalid_amount"},
	"-1e400 as the host keeps it": {"amount": "-1e400", "reason": "invalid_amount"},
	"400 fraction digits": {"amount": "0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001", "reason": "within_limit"},
}

outcome_of := {
	"within_limit": "allow",
	"approval_needed": "approval_needed",
	"blocked_over_hard_limit": "deny",
	"invalid_amount": "deny",
}

test_amount_rule[name] if {
	some name, case in amounts
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, {"params": {"amount": case.amount}}) with data.tenants as without_budgets
	decision.reason == case.reason
	decision.outcome == outcome_of[case.reason]
	decision.rule_id == stripe[case.reason]
}

test_missing_amount_is_invalid if {
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, {"params": {"currency": "eur"}}) with data.tenants as without_budgets
	decision.deny_reasons == [{"reason": "invalid_amount", "rule_id": stripe.invalid_amount}]
}

test_over_hard_limit_reports_one_deny if {
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, {"params": {"amount": 60000}}) with data.tenants as without_budgets
	decision.deny_reasons == [{"reason": "blocked_over_hard_limit", "rule_id": stripe.blocked_over_hard_limit}]
	decision.approval == null
	decision.allow == false
}

test_approval_needed_carries_the_amount_and_limits if {
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, {"params": {"amount": 6000}}) with data.tenants as without_budgets
	decision.outcome == "approval_needed"
	decision.allow == false
	decision.deny_reasons == []
	decision.approval == {"amount": 6000, "threshold": 5000, "hard_limit": 50000}
}

test_approval_amount_of_a_decimal_string_is_its_number if {
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, {"params": {"amount": "6000.50"}}) with data.tenants as without_budgets
	decision.approval.amount == 6000.5
}

# Compared as JSON text, since "0006000" == 6000 holds for the raw literal too.
test_approval_amount_with_leading_zeros_serializes_as_plain_json if {
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, {"params": {"amount": "0006000"}}) with data.tenants as without_budgets
	json.marshal(decision.approval.amount) == "6000"
}

test_within_limit_has_no_approval if {
	decision := data.aegis.decision with input as fx.payment with data.tenants as without_budgets
	decision.outcome == "allow"
	decision.allow == true
	decision.reason == "within_limit"
	decision.rule_id == stripe.within_limit
	decision.approval == null
}

# ledger reads its amount from "total" (amount_param) with T = 100, H = 1000.
test_amount_param_names_the_parameter_read if {
	data.aegis.decision.reason == "approval_needed" with input as ledger({"total": 1000}) with data.tenants as without_budgets
	data.aegis.decision.reason == "blocked_over_hard_limit" with input as ledger({"total": 1000.5}) with data.tenants as without_budgets
	data.aegis.decision.reason == "invalid_amount" with input as ledger({"amount": 5}) with data.tenants as without_budgets
}

ledger(params) := {
	"tenant": "acme", "agent": "finance-agent", "tool": "ledger", "action": "post_entry",
	"params": params, "host": "api.stripe.com",
}

test_tool_without_amount_conditions_ignores_amounts if {
	decision := data.aegis.decision with input as fx.with_fields(fx.docs_search, {"params": {"amount": "not a number"}}) with data.tenants as without_budgets
	decision.deny_reasons == []
}

# Per-action settings: an action object's own conditions replace the entry's, and its rule ids
# point at the action object.
docs_mcp_payment := "acme/finance-agent/allowed_tools/docs-mcp/actions/create_payment"

action_object_cases := {
	"within the action's threshold": {"amount": 200, "outcome": "sanitize", "reason": "sanitized", "rule_id": "acme/finance-agent/allowed_tools/docs-mcp/sanitize"},
	"above the action's threshold": {"amount": 201, "outcome": "approval_needed", "reason": "approval_needed", "rule_id": concat("/", [docs_mcp_payment, "conditions/approval_threshold"])},
	"above the action's hard limit": {"amount": 501, "outcome": "deny", "reason": "blocked_over_hard_limit", "rule_id": concat("/", [docs_mcp_payment, "conditions/hard_limit"])},
	"not a number": {"amount": "x", "outcome": "deny", "reason": "invalid_amount", "rule_id": concat("/", [docs_mcp_payment, "conditions/amount_param"])},
}

test_action_object_conditions_decide[name] if {
	some name, case in action_object_cases
	decision := data.aegis.decision with input as fx.docs_mcp("create_payment", {"amount": case.amount}) with data.tenants as without_budgets
	decision.outcome == case.outcome
	decision.reason == case.reason
	decision.rule_id == case.rule_id
}

# A plain action of the same entry has no conditions: any amount passes it.
test_plain_action_beside_an_action_object_has_no_amount_rule if {
	decision := data.aegis.decision with input as fx.docs_mcp("read_document", {"amount": 1e9}) with data.tenants as without_budgets
	decision.outcome == "sanitize"
	decision.approval == null
}
