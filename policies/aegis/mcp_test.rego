package aegis.mcp_test

import data.aegis.test_fixtures as fx

prefix := "acme/mcp-agent/allowed_tools/pay-mcp"

pay_mcp := {
	"actions": {
		"create_payment": object.union(fx.stripe_action, {"amount": {"param": "amount", "threshold": 200, "hard_limit": 500}}),
		"read_document": fx.plain_action(prefix),
	},
	"rule_ids": {"action_not_allowed": concat("/", [prefix, "actions"])},
	"mcp": {"methods": ["initialize", "notifications/*", "ping", "tools/list", "GET", "DELETE", "response"], "rule_id": concat("/", [prefix, "mcp/methods"])},
}

mcp_agent := {
	"mode": "enforce",
	"rule_ids": {"tool_not_allowed": "acme/mcp-agent/allowed_tools", "call_chain_violation": "acme/mcp-agent/call_chain"},
	"tools": {
		"pay-mcp": pay_mcp,
		# Marked MCP by the route only: no mcp block, so the default list applies.
		"plain-mcp": {"actions": {"search": fx.plain_action("acme/mcp-agent/allowed_tools/plain-mcp")}, "rule_ids": {"action_not_allowed": "acme/mcp-agent/allowed_tools/plain-mcp/actions"}},
	},
	"budgets": [{"name": "calls", "tool": null, "sum_param": null, "limit": 1, "window_seconds": 60, "rule_id": "acme/mcp-agent/budgets/calls"}],
	"call_chain": null,
	"approvals": {"channels": ["api"], "expires_in_seconds": 3600},
}

tenants := fx.with_fields(fx.tenants, {"acme": fx.with_fields(fx.tenants.acme, {"agents": object.union(fx.tenants.acme.agents, {"mcp-agent": mcp_agent})})})

call(tool, action, method, params) := fx.with_fields(fx.payment, {
	"agent": "mcp-agent", "tool": tool, "action": action, "params": params,
	"host": "wiki.docs.acme.internal", "path": "/mcp", "mcp": {"method": method},
})

test_protocol_traffic_is_allowed_without_conditions_or_budget_charges[method] if {
	some method in ["initialize", "notifications/initialized", "ping", "tools/list", "GET", "DELETE", "response"]
	decision := data.aegis.decision with input as call("pay-mcp", null, method, {}) with data.tenants as tenants
	decision.outcome == "allow"
	decision.rule_id == "acme/mcp-agent/allowed_tools/pay-mcp/mcp/methods"
	decision.budget_charges == []
}

test_a_method_the_list_leaves_out_is_action_not_allowed[method] if {
	some method in ["resources/list", "tasks/get", "sampling/createMessage"]
	decision := data.aegis.decision with input as call("pay-mcp", null, method, {}) with data.tenants as tenants
	decision.outcome == "deny"
	decision.reason == "action_not_allowed"
	decision.rule_id == "acme/mcp-agent/allowed_tools/pay-mcp/mcp/methods"
}

test_without_an_mcp_block_the_default_list_applies if {
	allowed := data.aegis.decision with input as call("plain-mcp", null, "resources/templates/list", {}) with data.tenants as tenants
	allowed.outcome == "allow"
	denied := data.aegis.decision with input as call("plain-mcp", null, "tasks/list", {}) with data.tenants as tenants
	denied.reason == "action_not_allowed"
	denied.rule_id == "acme/mcp-agent/allowed_tools/plain-mcp/actions"
}

test_tools_call_is_judged_per_action if {
	read := data.aegis.decision with input as call("pay-mcp", "read_document", "tools/call", {"path": "/a"}) with data.tenants as tenants
	read.outcome == "allow"
	pay := data.aegis.decision with input as call("pay-mcp", "create_payment", "tools/call", {"amount": 300}) with data.tenants as tenants
	pay.outcome == "approval_needed"
	forbidden := data.aegis.decision with input as call("pay-mcp", "delete_everything", "tools/call", {}) with data.tenants as tenants
	forbidden.reason == "action_not_allowed"
}

test_tools_call_is_charged_to_budgets if {
	request := fx.with_fields(call("pay-mcp", "read_document", "tools/call", {}), {"budgets": {"calls": {"spent": 1}}})
	decision := data.aegis.decision with input as request with data.tenants as tenants
	decision.reason == "budget_exceeded"
}

test_protocol_traffic_needs_a_tool_the_agent_may_use if {
	decision := data.aegis.decision with input as call("other-mcp", null, "initialize", {}) with data.tenants as tenants
	decision.reason == "tool_not_allowed"
}

test_protocol_traffic_of_an_unknown_agent_is_denied if {
	request := fx.with_fields(call("pay-mcp", null, "initialize", {}), {"agent": "intruder"})
	decision := data.aegis.decision with input as request with data.tenants as tenants
	decision.reason == "unknown_agent"
}

test_protocol_traffic_still_obeys_egress if {
	request := fx.with_fields(call("pay-mcp", null, "initialize", {}), {"host": "evil.example"})
	decision := data.aegis.decision with input as request with data.tenants as tenants
	decision.reason == "egress_denied"
}

# A partial body hid the method: nothing to judge, the body is needed.
test_an_mcp_request_with_a_hidden_method_is_body_truncated if {
	request := fx.with_fields(call("pay-mcp", null, null, {}), {"truncated_body": true})
	decision := data.aegis.decision with input as request with data.tenants as tenants
	decision.reason == "body_truncated"
}

test_a_malformed_mcp_field_is_invalid_request[name] if {
	some name, value in {"not an object": "initialize", "method not a string": {"method": 7}}
	request := fx.with_fields(call("pay-mcp", null, "initialize", {}), {"mcp": value})
	decision := data.aegis.decision with input as request with data.tenants as tenants
	decision.reason == "invalid_request"
}
