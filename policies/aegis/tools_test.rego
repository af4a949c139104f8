package aegis.tools_test

import data.aegis.test_fixtures as fx

tool_not_allowed := {"reason": "tool_not_allowed", "rule_id": "acme/finance-agent/allowed_tools"}

stripe_action_not_allowed := {"reason": "action_not_allowed", "rule_id": "acme/finance-agent/allowed_tools/stripe-payments/actions"}

unlisted_tools := {
	"tool is null": null,
	"tool is not in the agent's list": "github",
	"tool is listed for another agent only": "cloud-api",
	"tool name is empty": "",
}

test_unlisted_tool_is_denied[name] if {
	some name, tool in unlisted_tools
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, {"tool": tool}) with data.tenants as fx.tenants
	decision.outcome == "deny"
	decision.reason == "tool_not_allowed"
	decision.rule_id == "acme/finance-agent/allowed_tools"
	decision.deny_reasons == [tool_not_allowed]
}

unlisted_actions := {
	"action is null": null,
	"action is not listed for the tool": "delete_customer",
	"action is listed for another tool only": "search",
	"action name is empty": "",
}

test_unlisted_action_is_denied[name] if {
	some name, action in unlisted_actions
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, {"action": action}) with data.tenants as fx.tenants
	decision.outcome == "deny"
	decision.reason == "action_not_allowed"
	decision.rule_id == stripe_action_not_allowed.rule_id
	decision.deny_reasons == [stripe_action_not_allowed]
}

test_action_marked_false_is_denied if {
	tools := {"docs-search": object.union(fx.planner.tools["docs-search"], {"actions": {"search": false}})}
	tenants := fx.with_fields(fx.tenants, {"acme": fx.with_fields(fx.tenants.acme, {"agents": {"planner": fx.with_fields(fx.planner, {"tools": tools})}})})
	request := fx.with_fields(fx.docs_search, {"agent": "planner"})
	decision := data.aegis.decision with input as request with data.tenants as tenants
	decision.reason == "action_not_allowed"
}

# Conditions belong to the actions listed with them: an unlisted action reports only itself.
test_unlisted_action_gets_no_amount_verdict if {
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, {"action": "delete_customer", "params": {"amount": 6000}}) with data.tenants as fx.tenants
	decision.deny_reasons == [stripe_action_not_allowed]
	decision.approval == null
}

test_every_listed_action_of_a_tool_is_allowed[action] if {
	some action in ["create_payment", "refund"]
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, {"action": action}) with data.tenants as fx.tenants
	decision.outcome == "allow"
}

test_tool_without_conditions_or_sanitize_is_allowed_with_its_rule_id if {
	decision := data.aegis.decision with input as fx.with_fields(fx.docs_search, {"agent": "planner"}) with data.tenants as fx.tenants
	decision.outcome == "allow"
	decision.allow == true
	decision.reason == "allowed"
	decision.rule_id == "acme/planner/allowed_tools/docs-search/actions"
	decision.deny_reasons == []
	decision.approval == null
	decision.redactions == fx.no_redactions
}

test_missing_rule_ids_fall_back_to_builtin_ids if {
	agent := object.remove(fx.planner, {"rule_ids"})
	tenants := fx.with_fields(fx.tenants, {"acme": fx.with_fields(fx.tenants.acme, {"agents": {"planner": agent}})})
	request := fx.with_fields(fx.docs_search, {"agent": "planner", "tool": "github"})
	decision := data.aegis.decision with input as request with data.tenants as tenants
	decision.reason == "tool_not_allowed"
	decision.rule_id == "aegis/tool_not_allowed"
}

test_action_object_is_allowed_with_its_own_rule_id if {
	decision := data.aegis.decision with input as fx.docs_mcp("delete_document", {}) with data.tenants as fx.tenants
	decision.allow == true
	decision.deny_reasons == []
}

test_action_not_listed_on_a_tool_with_action_objects_is_denied if {
	decision := data.aegis.decision with input as fx.docs_mcp("drop_table", {}) with data.tenants as fx.tenants
	decision.reason == "action_not_allowed"
	decision.rule_id == "acme/finance-agent/allowed_tools/docs-mcp/actions"
}

# The settings of an older data.json ("action": true) are not an action's settings.
test_action_marked_true_is_not_an_action_config if {
	tools := {"docs-search": {"actions": {"search": true}}}
	tenants := fx.with_fields(fx.tenants, {"acme": fx.with_fields(fx.tenants.acme, {"agents": {"planner": fx.with_fields(fx.planner, {"tools": tools})}})})
	request := fx.with_fields(fx.docs_search, {"agent": "planner"})
	decision := data.aegis.decision with input as request with data.tenants as tenants
	decision.reason == "action_not_allowed"
}
