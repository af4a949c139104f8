# Shared fixtures: compiled data in the shape of docs/contracts.md §1, and requests.
#
# Tests evaluate with "data.aegis.decision with input as … with data.tenants as fx.tenants"
# in the test body: a helper function using "with" would break "opa build -t wasm" on this
# directory (the WASM compiler rejects functions that use "with").
package aegis.test_fixtures

stripe_rule_ids := {
	"allowed": "acme/finance-agent/allowed_tools/stripe-payments/actions",
	"within_limit": "acme/finance-agent/allowed_tools/stripe-payments/conditions/approval_threshold",
	"approval_needed": "acme/finance-agent/allowed_tools/stripe-payments/conditions/approval_threshold",
	"blocked_over_hard_limit": "acme/finance-agent/allowed_tools/stripe-payments/conditions/hard_limit",
	"invalid_amount": "acme/finance-agent/allowed_tools/stripe-payments/conditions/amount_param",
}

stripe_action := {
	"amount": {"param": "amount", "threshold": 5000, "hard_limit": 50000},
	"sanitize": null,
	"rule_ids": stripe_rule_ids,
}

# A plain action: no conditions, no sanitize, allowed by its entry's action list.
plain_action(tool_prefix) := {"amount": null, "sanitize": null, "rule_ids": {"allowed": concat("/", [tool_prefix, "actions"])}}

# finance-agent: max_amount 5000, approval_threshold 5000, so T = 5000 and H = 10 x 5000.
finance_agent := {
	"mode": "enforce",
	"rule_ids": {
		"tool_not_allowed": "acme/finance-agent/allowed_tools",
		"call_chain_violation": "acme/finance-agent/call_chain",
	},
	"tools": {
		"stripe-payments": {
			"actions": {"create_payment": stripe_action, "refund": stripe_action},
			"rule_ids": {"action_not_allowed": "acme/finance-agent/allowed_tools/stripe-payments/actions"},
		},
		# No conditions; sanitizes secrets.
		"docs-search": {
			"actions": {"search": {
				"amount": null,
				"sanitize": {"headers": ["x-api-key"], "query": ["token"], "params": ["card_number"]},
				"rule_ids": {
					"allowed": "acme/finance-agent/allowed_tools/docs-search/actions",
					"sanitize": "acme/finance-agent/allowed_tools/docs-search/sanitize",
				},
			}},
			"rule_ids": {"action_not_allowed": "acme/finance-agent/allowed_tools/docs-search/actions"},
		},
		# Amount read from "total" (amount_param), and a sanitize block.
		"ledger": {
			"actions": {"post_entry": {
				"amount": {"param": "total", "threshold": 100, "hard_limit": 1000},
				"sanitize": {"headers": [], "query": [], "params": ["iban"]},
				"rule_ids": {
					"allowed": "acme/finance-agent/allowed_tools/ledger/actions",
					"within_limit": "acme/finance-agent/allowed_tools/ledger/conditions/max_amount",
					"approval_needed": "acme/finance-agent/allowed_tools/ledger/conditions/max_amount",
					"blocked_over_hard_limit": "acme/finance-agent/allowed_tools/ledger/conditions/hard_limit",
					"invalid_amount": "acme/finance-agent/allowed_tools/ledger/conditions/amount_param",
					"sanitize": "acme/finance-agent/allowed_tools/ledger/sanitize",
				},
			}},
			"rule_ids": {"action_not_allowed": "acme/finance-agent/allowed_tools/ledger/actions"},
		},
		# One MCP server as one tool: a plain action with the entry's settings, and action
		# objects with their own conditions and sanitize (their rule ids say so).
		"docs-mcp": {
			"actions": {
				"read_document": {
					"amount": null,
					"sanitize": {"headers": [], "query": [], "params": ["ssn"]},
					"rule_ids": {
						"allowed": "acme/finance-agent/allowed_tools/docs-mcp/actions",
						"sanitize": "acme/finance-agent/allowed_tools/docs-mcp/sanitize",
					},
				},
				"create_payment": {
					"amount": {"param": "amount", "threshold": 200, "hard_limit": 500},
					"sanitize": {"headers": [], "query": [], "params": ["ssn"]},
					"rule_ids": {
						"allowed": "acme/finance-agent/allowed_tools/docs-mcp/actions/create_payment",
						"within_limit": "acme/finance-agent/allowed_tools/docs-mcp/actions/create_payment/conditions/approval_threshold",
						"approval_needed": "acme/finance-agent/allowed_tools/docs-mcp/actions/create_payment/conditions/approval_threshold",
						"blocked_over_hard_limit": "acme/finance-agent/allowed_tools/docs-mcp/actions/create_payment/conditions/hard_limit",
						"invalid_amount": "acme/finance-agent/allowed_tools/docs-mcp/actions/create_payment/conditions/amount_param",
						"sanitize": "acme/finance-agent/allowed_tools/docs-mcp/sanitize",
					},
				},
				"delete_document": {
					"amount": null,
					"sanitize": {"headers": ["x-api-key"], "query": [], "params": []},
					"rule_ids": {
						"allowed": "acme/finance-agent/allowed_tools/docs-mcp/actions/delete_document",
						"sanitize": "acme/finance-agent/allowed_tools/docs-mcp/actions/delete_document/sanitize",
					},
				},
			},
			"rule_ids": {"action_not_allowed": "acme/finance-agent/allowed_tools/docs-mcp/actions"},
		},
	},
	"budgets": [
		{
			"name": "daily-spend", "tool": "stripe-payments", "sum_param": "amount",
			"limit": 20000, "window_seconds": 86400,
			"rule_id": "acme/finance-agent/budgets/daily-spend",
		},
		{
			"name": "hourly-calls", "tool": null, "sum_param": null,
			"limit": 100, "window_seconds": 3600,
			"rule_id": "acme/finance-agent/budgets/hourly-calls",
		},
	],
	"call_chain": {"allowed_parents": ["planner"], "max_depth": 2},
	"approvals": {"channels": ["api"], "expires_in_seconds": 3600},
}

# planner: no call_chain block, no budgets, a plain tool.
planner := {
	"mode": "enforce",
	"rule_ids": {
		"tool_not_allowed": "acme/planner/allowed_tools",
		"call_chain_violation": "acme/planner/call_chain",
	},
	"tools": {"docs-search": {
		"actions": {"search": plain_action("acme/planner/allowed_tools/docs-search")},
		"rule_ids": {"action_not_allowed": "acme/planner/allowed_tools/docs-search/actions"},
	}},
	"budgets": [],
	"call_chain": null,
	"approvals": {"channels": ["api"], "expires_in_seconds": 3600},
}

# ops-agent: a spend budget on a tool that has no amount conditions of its own.
ops_agent := {
	"mode": "enforce",
	"rule_ids": {
		"tool_not_allowed": "acme/ops-agent/allowed_tools",
		"call_chain_violation": "acme/ops-agent/call_chain",
	},
	"tools": {"cloud-api": {
		"actions": {"provision": plain_action("acme/ops-agent/allowed_tools/cloud-api")},
		"rule_ids": {"action_not_allowed": "acme/ops-agent/allowed_tools/cloud-api/actions"},
	}},
	"budgets": [{
		"name": "cloud-spend", "tool": "cloud-api", "sum_param": "cost",
		"limit": 500, "window_seconds": 86400,
		"rule_id": "acme/ops-agent/budgets/cloud-spend",
	}],
	"call_chain": null,
	"approvals": {"channels": ["api"], "expires_in_seconds": 3600},
}

tenants := {
	"acme": {
		"mode": "enforce",
		"egress": {
			"exact": {"api.stripe.com": true},
			"suffixes": [".docs.acme.internal"],
			"rule_id": "acme/egress_allowlist",
		},
		"agents": {
			"finance-agent": finance_agent,
			"planner": planner,
			"ops-agent": ops_agent,
			"shadow-agent": object.union(planner, {"mode": "shadow"}),
		},
		"catalog": [],
	},
	"beta": {
		"mode": "shadow",
		"egress": {"exact": {"api.beta.example": true}, "suffixes": [], "rule_id": "beta/egress_allowlist"},
		"agents": {"helper": planner},
		"catalog": [],
	},
}

# A complete, allowed payment request as src/input builds it.
payment := {
	"tenant": "acme",
	"agent": "finance-agent",
	"identity_source": "jwt",
	"tool": "stripe-payments",
	"action": "create_payment",
	"params": {"amount": 1200},
	"host": "api.stripe.com",
	"method": "POST",
	"path": "/v1/payment_intents",
	"truncated_body": false,
	"call_chain": {"parent": null, "depth": 0, "verified": false, "error": null},
	"budgets": {},
}

docs_mcp(action, params) := object.union(payment, {
	"tool": "docs-mcp",
	"action": action,
	"params": params,
	"host": "wiki.docs.acme.internal",
	"path": "/mcp",
})

docs_search := object.union(payment, {
	"tool": "docs-search",
	"action": "search",
	"params": {"q": "refund policy"},
	"host": "wiki.docs.acme.internal",
	"method": "GET",
	"path": "/search",
})

# base with the top-level fields of patch replaced (not deep-merged, so a patch can drop
# a nested key such as params.amount).
with_fields(base, patch) := object.union(object.remove(base, object.keys(patch)), patch)

reasons(decision) := [entry.reason | some entry in decision.deny_reasons]

decision_keys := {"outcome", "allow", "reason", "rule_id", "deny_reasons", "mode", "redactions", "approval", "budget_charges"}

no_redactions := {"headers": [], "query": [], "params": []}
