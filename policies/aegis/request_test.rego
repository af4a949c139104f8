package aegis.request_test

import data.aegis.test_fixtures as fx

invalid_request_entry := {"reason": "invalid_request", "rule_id": "aegis/invalid_request"}

# Inputs that break the contract shape of docs/contracts.md §2.
malformed := {
	"input is null": null,
	"input is a string": "stripe-payments",
	"input is an array": [fx.payment],
	"input is a number": 42,
	"params is a string": fx.with_fields(fx.payment, {"params": "amount=100"}),
	"params is an array": fx.with_fields(fx.payment, {"params": [100]}),
	"params is null": fx.with_fields(fx.payment, {"params": null}),
	"tenant is a number": fx.with_fields(fx.payment, {"tenant": 7}),
	"agent is an object": fx.with_fields(fx.payment, {"agent": {"name": "finance-agent"}}),
	"tool is a number": fx.with_fields(fx.payment, {"tool": 1}),
	"action is a boolean": fx.with_fields(fx.payment, {"action": true}),
	"host is a number": fx.with_fields(fx.payment, {"host": 443}),
	"host is null": fx.with_fields(fx.payment, {"host": null}),
	"call_chain is an array": fx.with_fields(fx.payment, {"call_chain": []}),
	"call_chain.parent is a number": fx.with_fields(fx.payment, {"call_chain": {"parent": 1, "depth": 1, "verified": true, "error": null}}),
	"call_chain.depth is a string": fx.with_fields(fx.payment, {"call_chain": {"parent": null, "depth": "0", "verified": false, "error": null}}),
	"call_chain.verified is a string": fx.with_fields(fx.payment, {"call_chain": {"parent": null, "depth": 0, "verified": "yes", "error": null}}),
	"call_chain.error is an object": fx.with_fields(fx.payment, {"call_chain": {"parent": null, "depth": 0, "verified": false, "error": {}}}),
	"budgets is an array": fx.with_fields(fx.payment, {"budgets": []}),
	"a budget counter is a number": fx.with_fields(fx.payment, {"budgets": {"daily-spend": 100}}),
	"a budget counter has no spent": fx.with_fields(fx.payment, {"budgets": {"daily-spend": {}}}),
	"a budget counter spent is a string": fx.with_fields(fx.payment, {"budgets": {"daily-spend": {"spent": "100"}}}),
	"a budget counter spent is negative": fx.with_fields(fx.payment, {"budgets": {"daily-spend": {"spent": -1}}}),
}

test_malformed_input_is_denied_as_invalid_request[name] if {
	some name, request in malformed
	decision := data.aegis.decision with input as request with data.tenants as fx.tenants
	decision.outcome == "deny"
	decision.allow == false
	decision.reason == "invalid_request"
	decision.rule_id == "aegis/invalid_request"
	decision.deny_reasons[0] == invalid_request_entry
}

test_missing_input_is_denied_as_invalid_request if {
	decision := data.aegis.decision with data.tenants as fx.tenants
	decision.reason == "invalid_request"
}

test_invalid_request_is_reported_before_the_other_denies_it_causes if {
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, {"tenant": 7}) with data.tenants as fx.tenants
	fx.reasons(decision) == ["invalid_request", "unknown_agent"]
}

test_null_identity_tool_and_action_are_well_formed if {
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, {"tenant": null, "agent": null, "tool": null, "action": null}) with data.tenants as fx.tenants
	fx.reasons(decision) == ["unknown_agent"]
}

# Absent fields read as "unknown", so a minimal hand-written input is not invalid.
test_absent_optional_fields_are_not_invalid if {
	request := {
		"tenant": "acme", "agent": "finance-agent", "tool": "stripe-payments",
		"action": "create_payment", "params": {"amount": 10}, "host": "api.stripe.com",
	}
	decision := data.aegis.decision with input as request with data.tenants as fx.tenants
	decision.outcome == "allow"
	decision.reason == "within_limit"
}

test_absent_host_reads_as_empty_and_is_egress_denied if {
	decision := data.aegis.decision with input as object.remove(fx.payment, {"host"}) with data.tenants as fx.tenants
	fx.reasons(decision) == ["egress_denied"]
}

test_absent_params_read_as_empty_and_leave_the_amount_missing if {
	decision := data.aegis.decision with input as object.remove(fx.payment, {"params"}) with data.tenants as fx.tenants
	fx.reasons(decision) == ["invalid_amount"]
}

test_absent_identity_is_unknown_agent if {
	decision := data.aegis.decision with input as object.remove(fx.payment, {"tenant", "agent"}) with data.tenants as fx.tenants
	fx.reasons(decision) == ["unknown_agent"]
}

test_empty_object_input_is_unknown_agent_only if {
	decision := data.aegis.decision with input as {} with data.tenants as fx.tenants
	fx.reasons(decision) == ["unknown_agent"]
	decision.mode == "enforce"
}

test_extra_input_fields_are_ignored if {
	decision := data.aegis.decision with input as object.union(fx.payment, {"future_field": [1, 2, 3], "method": 5}) with data.tenants as fx.tenants
	decision.outcome == "allow"
}
