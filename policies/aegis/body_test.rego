package aegis.body_test

import data.aegis.test_fixtures as fx

truncated(request) := fx.with_fields(request, {"truncated_body": true})

planner_search := fx.with_fields(fx.docs_search, {"agent": "planner"})

# A tool of the planner with the given extra fields in its compiled entry.
planner_tool_with(patch) := fx.with_fields(fx.tenants, {"acme": fx.with_fields(fx.tenants.acme, {"agents": fx.with_fields(
	fx.tenants.acme.agents,
	{"planner": fx.with_fields(fx.planner, {"tools": {"docs-search": object.union(fx.planner.tools["docs-search"], patch)}})},
)})})

# The planner's docs-search "search" action with the given extra fields in its effective settings.
planner_action_with(patch) := planner_tool_with({"actions": {"search": object.union(fx.planner.tools["docs-search"].actions.search, patch)}})

# The amount may lie after the cut: ?amount=100 plus a body ending in "amount":999999.
test_truncated_body_to_a_tool_with_amount_conditions_is_denied if {
	request := fx.with_fields(truncated(fx.payment), {"params": {"amount": 100}})
	decision := data.aegis.decision with input as request with data.tenants as fx.tenants
	decision.outcome == "deny"
	decision.reason == "body_truncated"
	decision.rule_id == "aegis/body_truncated"
	decision.deny_reasons == [{"reason": "body_truncated", "rule_id": "aegis/body_truncated"}]
}

test_whole_body_to_the_same_tool_is_judged_as_usual if {
	decision := data.aegis.decision with input as fx.payment with data.tenants as fx.tenants
	decision.outcome == "allow"
}

test_truncated_body_to_a_tool_that_reads_nothing_from_the_body_is_allowed if {
	decision := data.aegis.decision with input as truncated(planner_search) with data.tenants as fx.tenants
	decision.outcome == "allow"
	decision.deny_reasons == []
}

test_sanitized_params_need_the_body if {
	decision := data.aegis.decision with input as truncated(fx.docs_search) with data.tenants as fx.tenants
	decision.reason == "body_truncated"
}

test_sanitized_headers_and_query_alone_do_not_need_the_body if {
	tenants := planner_action_with({"sanitize": {"headers": ["x-api-key"], "query": ["token"], "params": []}})
	decision := data.aegis.decision with input as truncated(planner_search) with data.tenants as tenants
	decision.outcome == "sanitize"
}

test_a_spend_budget_on_the_tool_needs_the_body if {
	request := fx.with_fields(fx.payment, {"agent": "ops-agent", "tool": "cloud-api", "action": "provision", "params": {"cost": 5}, "truncated_body": true})
	decision := data.aegis.decision with input as request with data.tenants as fx.tenants
	decision.reason == "body_truncated"
}

# Unknown agent, tool or action: the action may be the name of a cut-off MCP tools/call.
test_an_unknown_agent_tool_or_action_is_denied_body_truncated_first[name] if {
	some name, patch in {
		"unknown agent": {"agent": "intruder"},
		"no identity": {"tenant": null, "agent": null, "identity_source": "none"},
		"unknown tool": {"tool": "shell"},
		"no action": {"action": null},
		"unknown action": {"action": "delete_everything"},
	}
	request := fx.with_fields(truncated(planner_search), patch)
	decision := data.aegis.decision with input as request with data.tenants as fx.tenants
	decision.reason == "body_truncated"
	count(decision.deny_reasons) > 1
}

# A tool-entry field this library does not know (an MCP protocol marker, parameter rules of a
# newer compiler) may read the body: fail closed.
test_an_unknown_tool_field_counts_as_reading_the_body[field] if {
	some field, value in {"protocol": "mcp", "params": {"path": {"glob": ["/docs/**"]}}}
	tenants := planner_tool_with({field: value})
	decision := data.aegis.decision with input as truncated(planner_search) with data.tenants as tenants
	decision.reason == "body_truncated"
}

test_an_unknown_action_field_counts_as_reading_the_body if {
	tenants := planner_action_with({"params": {"path": {"glob": ["/docs/**"]}}})
	decision := data.aegis.decision with input as truncated(planner_search) with data.tenants as tenants
	decision.reason == "body_truncated"
}

test_invalid_request_is_reported_before_body_truncated if {
	request := fx.with_fields(fx.payment, {"truncated_body": "yes"})
	decision := data.aegis.decision with input as request with data.tenants as fx.tenants
	decision.reason == "invalid_request"
	[entry.reason | some entry in decision.deny_reasons] == ["invalid_request", "body_truncated"]
}

test_body_truncated_is_reported_before_every_other_policy_deny if {
	request := fx.with_fields(fx.payment, {"params": {"amount": 999999}, "host": "evil.example", "truncated_body": true})
	decision := data.aegis.decision with input as request with data.tenants as fx.tenants
	[entry.reason | some entry in decision.deny_reasons] == ["body_truncated", "egress_denied", "blocked_over_hard_limit", "budget_exceeded"]
}

test_a_tenant_with_custom_rego_needs_the_body if {
	decision := data.aegis.decision with input as truncated(planner_search) with data.tenants as fx.tenants with data.aegis.custom as {"acme": {"deny": []}}
	decision.reason == "body_truncated"
}

test_an_agent_module_of_the_caller_needs_the_body if {
	decision := data.aegis.decision with input as truncated(planner_search) with data.tenants as fx.tenants with data.aegis.custom as {"acme": {"planner": {"deny": []}}}
	decision.reason == "body_truncated"
}

test_another_agents_module_does_not_need_the_body if {
	decision := data.aegis.decision with input as truncated(planner_search) with data.tenants as fx.tenants with data.aegis.custom as {"acme": {"support-agent": {"deny": []}}}
	decision.outcome == "allow"
}

# A body Aegis does not read (multipart fields, text, binary) may carry the parameters the upstream
# acts on: refused where the policy reads the body, as for a partial one.
test_an_unread_body_is_invalid_where_the_policy_reads_the_body if {
	request := fx.with_fields(fx.payment, {"params": {"amount": 100}, "unread_body": true})
	decision := data.aegis.decision with input as request with data.tenants as fx.tenants
	decision.outcome == "deny"
	decision.reason == "invalid_request"
	decision.rule_id == "aegis/body_unreadable"
}

test_an_unread_body_passes_where_the_policy_reads_nothing_from_it if {
	request := fx.with_fields(planner_search, {"unread_body": true})
	decision := data.aegis.decision with input as request with data.tenants as fx.tenants
	decision.outcome == "allow"
}

test_an_unread_body_flag_of_the_wrong_type_is_invalid if {
	request := fx.with_fields(planner_search, {"unread_body": "yes"})
	decision := data.aegis.decision with input as request with data.tenants as fx.tenants
	decision.reason == "invalid_request"
}
