package aegis.custom_test

import data.aegis.test_fixtures as fx

bot := object.union(fx.planner, {
	"rule_ids": {"tool_not_allowed": "testco/bot/allowed_tools", "call_chain_violation": "testco/bot/call_chain"},
	"tools": {"shop": {
		"actions": {"order": {
			"amount": {"param": "amount", "threshold": 100, "hard_limit": 1000},
			"sanitize": null, "params": null, "schedule": null,
			"rule_ids": {
				"allowed": "testco/bot/allowed_tools/shop/actions",
				"within_limit": "testco/bot/allowed_tools/shop/conditions/max_amount",
				"approval_needed": "testco/bot/allowed_tools/shop/conditions/max_amount",
				"blocked_over_hard_limit": "testco/bot/allowed_tools/shop/conditions/hard_limit",
				"invalid_amount": "testco/bot/allowed_tools/shop/conditions/amount_param",
			},
		}},
		"rule_ids": {"action_not_allowed": "testco/bot/allowed_tools/shop/actions"},
	}},
})

tenants := object.union(fx.tenants, {"testco": {
	"mode": "enforce",
	"egress": {"exact": {"shop.example": true, "blocked.example": true}, "suffixes": [], "rule_id": "testco/egress_allowlist"},
	"agents": {"bot": bot, "other": object.union(bot, {"rule_ids": {"tool_not_allowed": "testco/other/allowed_tools"}})},
	"catalog": [],
}})

order(params) := fx.with_fields(fx.payment, {"tenant": "testco", "agent": "bot", "tool": "shop", "action": "order", "host": "shop.example", "params": params})

test_no_custom_rule_fires if {
	decision := data.aegis.decision with input as order({"amount": 5, "items": []}) with data.tenants as tenants
	decision.outcome == "allow"
	decision.reason == "within_limit"
}

test_a_tenant_module_denies_with_its_own_reason_and_rule_id if {
	decision := data.aegis.decision with input as fx.with_fields(order({"amount": 5}), {"host": "blocked.example"}) with data.tenants as tenants
	decision.outcome == "deny"
	decision.reason == "custom:blocked_host"
	decision.rule_id == "custom/tenant.rego:5"
}

test_an_agent_module_applies_to_its_agent_only if {
	items := {"amount": 5, "items": [1, 2, 3, 4]}
	decision := data.aegis.decision with input as order(items) with data.tenants as tenants
	decision.reason == "custom:too_many_items"
	decision.rule_id == "custom/bot.rego:5"
	other := data.aegis.decision with input as fx.with_fields(order(items), {"agent": "other"}) with data.tenants as tenants
	other.outcome == "allow"
}

test_custom_denies_come_after_every_built_in_deny if {
	request := fx.with_fields(order({"amount": 5000, "items": [1, 2, 3, 4]}), {"host": "blocked.example"})
	decision := data.aegis.decision with input as request with data.tenants as tenants
	fx.reasons(decision) == ["blocked_over_hard_limit", "custom:too_many_items", "custom:blocked_host"]
	decision.reason == "blocked_over_hard_limit"
}

test_reasons_are_normalized if {
	prefixed := data.aegis.decision with input as order({"amount": 5, "prefixed": true}) with data.tenants as tenants
	prefixed.reason == "custom:prefixed"
	bad := data.aegis.decision with input as order({"amount": 5, "bad_reason": true}) with data.tenants as tenants
	bad.reason == "custom:invalid_reason"
	bad.rule_id == "custom/tenant.rego:9"
	odd := data.aegis.decision with input as order({"amount": 5, "not_an_object": true}) with data.tenants as tenants
	odd.outcome == "deny"
	odd.reason == "custom:invalid_reason"
	odd.rule_id == "aegis/custom"
}

test_needs_approval_with_its_own_details if {
	decision := data.aegis.decision with input as order({"amount": 5, "items": [1, 2, 3]}) with data.tenants as tenants
	decision.outcome == "approval_needed"
	decision.reason == "approval_needed"
	decision.rule_id == "custom/bot.rego:7"
	decision.approval == {"amount": 7, "threshold": 3, "hard_limit": 9}
}

test_needs_approval_falls_back_to_the_amount_rule if {
	decision := data.aegis.decision with input as order({"amount": 5, "night": true}) with data.tenants as tenants
	decision.outcome == "approval_needed"
	decision.rule_id == "custom/tenant.rego:13"
	decision.approval == {"amount": 5, "threshold": 100, "hard_limit": 1000}
}

test_the_amount_rule_approval_comes_first if {
	decision := data.aegis.decision with input as order({"amount": 500, "night": true}) with data.tenants as tenants
	decision.rule_id == "testco/bot/allowed_tools/shop/conditions/max_amount"
	decision.approval == {"amount": 500, "threshold": 100, "hard_limit": 1000}
}

test_a_deny_beats_a_custom_approval if {
	decision := data.aegis.decision with input as order({"amount": 5, "night": true, "items": [1, 2, 3, 4]}) with data.tenants as tenants
	decision.outcome == "deny"
	decision.approval == null
}

test_redact_sanitizes_with_lower_cased_headers if {
	decision := data.aegis.decision with input as order({"amount": 5, "secret": "s"}) with data.tenants as tenants
	decision.outcome == "sanitize"
	decision.rule_id == "custom/tenant.rego:15"
	decision.redactions == {"headers": ["x-token"], "query": [], "params": ["secret"]}
}

test_redact_merges_with_the_action_sanitize_block if {
	sanitizing := json.patch(tenants, [{"op": "replace", "path": "/testco/agents/bot/tools/shop/actions/order/sanitize", "value": {"headers": ["x-api-key"], "query": [], "params": ["secret", "card"]}}, {"op": "add", "path": "/testco/agents/bot/tools/shop/actions/order/rule_ids/sanitize", "value": "testco/bot/allowed_tools/shop/sanitize"}])
	decision := data.aegis.decision with input as order({"amount": 5, "secret": "s"}) with data.tenants as sanitizing
	decision.rule_id == "testco/bot/allowed_tools/shop/sanitize"
	decision.redactions == {"headers": ["x-api-key", "x-token"], "query": [], "params": ["card", "secret"]}
}

test_an_unknown_agent_is_not_judged_by_custom_rules if {
	decision := data.aegis.decision with input as fx.with_fields(order({}), {"agent": "ghost", "host": "blocked.example"}) with data.tenants as tenants
	fx.reasons(decision) == ["unknown_agent"]
}

test_messages_are_kept_for_explain if {
	messages := data.aegis.custom_rules.messages with input as fx.with_fields(order({"amount": 5}), {"host": "blocked.example"}) with data.tenants as tenants
	messages == {{"reason": "custom:blocked_host", "rule_id": "custom/tenant.rego:5", "message": "that host is blocked"}}
}
