package aegis.decision_test

import data.aegis.outcome
import data.aegis.test_fixtures as fx

# The reporting order of SPEC §3, and of DENY_REASONS in src/decision/types.ts.
test_precedence_is_the_contract_order if {
	outcome.precedence == [
		"invalid_request",
		"body_truncated",
		"unknown_agent",
		"call_chain_violation",
		"egress_denied",
		"tool_not_allowed",
		"action_not_allowed",
		"param_not_allowed",
		"outside_schedule",
		"invalid_amount",
		"blocked_over_hard_limit",
		"budget_exceeded",
	]
}

test_every_deny_that_fires_is_reported_in_precedence_order if {
	request := fx.with_fields(fx.payment, {
		"budgets": {"daily-spend": {"spent": 0}, "unrelated": {"spent": "not a number"}},
		"params": {"amount": 60000},
		"host": "evil.example",
		"call_chain": {"parent": "stranger", "depth": 1, "verified": true, "error": null},
	})
	decision := data.aegis.decision with input as request with data.tenants as fx.tenants
	decision.deny_reasons == [
		{"reason": "invalid_request", "rule_id": "aegis/invalid_request"},
		{"reason": "call_chain_violation", "rule_id": "acme/finance-agent/call_chain"},
		{"reason": "egress_denied", "rule_id": "acme/egress_allowlist"},
		{"reason": "blocked_over_hard_limit", "rule_id": fx.stripe_rule_ids.blocked_over_hard_limit},
		{"reason": "budget_exceeded", "rule_id": "acme/finance-agent/budgets/daily-spend"},
	]
	decision.reason == "invalid_request"
	decision.rule_id == "aegis/invalid_request"
}

test_first_deny_names_reason_and_rule_id if {
	request := fx.with_fields(fx.payment, {"host": "evil.example", "action": "refund_all"})
	decision := data.aegis.decision with input as request with data.tenants as fx.tenants
	fx.reasons(decision) == ["egress_denied", "action_not_allowed"]
	decision.reason == "egress_denied"
	decision.rule_id == "acme/egress_allowlist"
}

test_allow_field_follows_the_outcome if {
	data.aegis.decision.allow == true with input as fx.payment with data.tenants as fx.tenants
	data.aegis.decision.allow == true with input as fx.docs_search with data.tenants as fx.tenants
	data.aegis.decision.allow == false with input as fx.with_fields(fx.payment, {"params": {"amount": 6000}}) with data.tenants as fx.tenants
	data.aegis.decision.allow == false with input as fx.with_fields(fx.payment, {"host": ""}) with data.tenants as fx.tenants
}

test_allowed_decision_has_the_contract_shape if {
	decision := data.aegis.decision with input as fx.payment with data.tenants as fx.tenants
	decision == {
		"outcome": "allow",
		"allow": true,
		"reason": "within_limit",
		"rule_id": fx.stripe_rule_ids.within_limit,
		"deny_reasons": [],
		"mode": "enforce",
		"redactions": fx.no_redactions,
		"approval": null,
		"budget_charges": [
			{"name": "daily-spend", "cost": 1200, "limit": 20000, "window_seconds": 86400, "spent": 0},
			{"name": "hourly-calls", "cost": 1, "limit": 100, "window_seconds": 3600, "spent": 0},
		],
	}
}

# The WASM result must be total: one well-formed decision for any input whatsoever.
weird_inputs := {
	"null": null,
	"false": false,
	"zero": 0,
	"string": "allow",
	"empty array": [],
	"empty object": {},
	"only junk keys": {"x": {"y": [1, {"z": null}]}},
	"every field null": {"tenant": null, "agent": null, "tool": null, "action": null, "params": null, "host": null, "call_chain": null, "budgets": null},
	"every field a number": {"tenant": 1, "agent": 2, "tool": 3, "action": 4, "params": 5, "host": 6, "call_chain": 7, "budgets": 8},
	"every field an array": {"tenant": [], "agent": [], "tool": [], "action": [], "params": [], "host": [], "call_chain": [], "budgets": []},
	"valid identity, junk elsewhere": {"tenant": "acme", "agent": "finance-agent", "tool": {}, "action": [], "params": "x", "host": true},
	"nested junk in call_chain": fx.with_fields(fx.payment, {"call_chain": {"parent": ["planner"], "depth": {}, "verified": 1, "error": false}}),
	"amount is a huge number": fx.with_fields(fx.payment, {"params": {"amount": 1e308}}),
	"amount is a huge string": fx.with_fields(fx.payment, {"params": {"amount": "99999999999999999999999999999999999999.5"}}),
	"budget counters of every type": fx.with_fields(fx.payment, {"budgets": {"a": null, "b": [], "c": {"spent": {}}, "daily-spend": {"spent": true}}}),
	"unicode everywhere": {"tenant": "ａｃｍｅ", "agent": "🤖", "tool": "\u0000", "action": "", "params": {"": ""}, "host": "wiki.docs.acme.internal\u0000"},
}

test_weird_input_yields_one_well_formed_decision[name] if {
	some name, request in weird_inputs
	decision := data.aegis.decision with input as request with data.tenants as fx.tenants
	well_formed(decision)
	decision.outcome == "deny"
}

weird_tenants := {
	"tenants is null": null,
	"tenant is a number": {"acme": 5},
	"agent is null": {"acme": {"mode": "enforce", "agents": {"finance-agent": null}}},
	"tools is not an object": {"acme": object.union(fx.tenants.acme, {"agents": {"finance-agent": {"tools": true}}})},
	"tool entry is a string": {"acme": object.union(fx.tenants.acme, {"agents": {"finance-agent": {"tools": {"stripe-payments": "yes"}}}})},
	"actions is an array": {"acme": object.union(fx.tenants.acme, {"agents": {"finance-agent": {"tools": {"stripe-payments": {"actions": ["create_payment"]}}}}})},
	"amount conditions without param": {"acme": object.union(fx.tenants.acme, {"agents": {"finance-agent": {"tools": {"stripe-payments": {"actions": {"create_payment": {"amount": {"param": null}}}}}}}})},
	"action settings are a string": {"acme": object.union(fx.tenants.acme, {"agents": {"finance-agent": {"tools": {"stripe-payments": {"actions": {"create_payment": "yes"}}}}}})},
	"egress is a string": {"acme": object.union(fx.tenants.acme, {"egress": "api.stripe.com"})},
	"egress suffixes of every type": {"acme": object.union(fx.tenants.acme, {"egress": {"exact": [], "suffixes": [1, null, {}, ".docs.acme.internal"]}})},
}

test_weird_data_yields_one_well_formed_deny[name] if {
	some name, tenants in weird_tenants
	decision := data.aegis.decision with input as fx.payment with data.tenants as tenants
	well_formed(decision)
	decision.outcome == "deny"
}

# Budgets and call-chain blocks of the wrong type charge nothing and accept no parent.
test_weird_budget_and_call_chain_blocks_are_harmless if {
	tenants := object.union(fx.tenants, {"acme": {"agents": {"finance-agent": {"budgets": "daily", "call_chain": "planner"}}}})
	decision := data.aegis.decision with input as fx.payment with data.tenants as tenants
	well_formed(decision)
	decision.outcome == "allow"
	decision.budget_charges == []
	request := fx.with_fields(fx.payment, {"call_chain": {"parent": "planner", "depth": 1, "verified": true, "error": null}})
	chained := data.aegis.decision with input as request with data.tenants as tenants
	chained.reason == "call_chain_violation"
}

well_formed(decision) if {
	object.keys(decision) == fx.decision_keys
	decision.outcome in {"allow", "deny", "sanitize", "approval_needed"}
	allowed := decision.outcome in {"allow", "sanitize"}
	decision.allow == allowed
	is_string(decision.reason)
	is_string(decision.rule_id)
	is_array(decision.deny_reasons)
	decision.mode in {"enforce", "shadow"}
	object.keys(decision.redactions) == {"headers", "query", "params"}
	is_array(decision.budget_charges)
	consistent_deny(decision)
}

consistent_deny(decision) if {
	decision.outcome == "deny"
	decision.deny_reasons[0] == {"reason": decision.reason, "rule_id": decision.rule_id}
}

consistent_deny(decision) if {
	decision.outcome != "deny"
	decision.deny_reasons == []
}
