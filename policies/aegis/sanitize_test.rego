package aegis.sanitize_test

import data.aegis.test_fixtures as fx

docs_redactions := {"headers": ["x-api-key"], "query": ["token"], "params": ["card_number"]}

test_allowed_call_to_a_sanitizing_tool_is_sanitized if {
	decision := data.aegis.decision with input as fx.docs_search with data.tenants as fx.tenants
	decision.outcome == "sanitize"
	decision.allow == true
	decision.reason == "sanitized"
	decision.rule_id == "acme/finance-agent/allowed_tools/docs-search/sanitize"
	decision.redactions == docs_redactions
	decision.deny_reasons == []
	decision.approval == null
}

test_denied_call_to_a_sanitizing_tool_has_no_redactions if {
	decision := data.aegis.decision with input as fx.with_fields(fx.docs_search, {"host": "evil.example"}) with data.tenants as fx.tenants
	decision.outcome == "deny"
	decision.redactions == fx.no_redactions
}

ledger(total) := {
	"tenant": "acme", "agent": "finance-agent", "tool": "ledger", "action": "post_entry",
	"params": {"total": total}, "host": "api.stripe.com",
}

# Precedence: approval_needed > sanitize > allow.
test_sanitize_beats_within_limit if {
	decision := data.aegis.decision with input as ledger(50) with data.tenants as fx.tenants
	decision.outcome == "sanitize"
	decision.reason == "sanitized"
	decision.rule_id == "acme/finance-agent/allowed_tools/ledger/sanitize"
	decision.redactions == {"headers": [], "query": [], "params": ["iban"]}
}

test_approval_needed_beats_sanitize if {
	decision := data.aegis.decision with input as ledger(500) with data.tenants as fx.tenants
	decision.outcome == "approval_needed"
	decision.rule_id == "acme/finance-agent/allowed_tools/ledger/conditions/max_amount"
	decision.redactions == fx.no_redactions
	decision.approval == {"amount": 500, "threshold": 100, "hard_limit": 1000}
}

test_deny_beats_sanitize if {
	decision := data.aegis.decision with input as ledger(5000) with data.tenants as fx.tenants
	decision.outcome == "deny"
	decision.reason == "blocked_over_hard_limit"
	decision.redactions == fx.no_redactions
}

test_missing_sanitize_lists_read_as_empty if {
	search := fx.with_fields(fx.finance_agent.tools["docs-search"].actions.search, {"sanitize": {"params": ["card_number"]}})
	agent := fx.with_fields(fx.finance_agent, {"tools": {"docs-search": {"actions": {"search": search}}}})
	tenants := fx.with_fields(fx.tenants, {"acme": fx.with_fields(fx.tenants.acme, {"agents": {"finance-agent": agent}})})
	decision := data.aegis.decision with input as fx.docs_search with data.tenants as tenants
	decision.redactions == {"headers": [], "query": [], "params": ["card_number"]}
}

# Per-action settings: a plain action takes the entry's sanitize; an action object's own
# sanitize replaces it, and the rule id names the action object.
test_plain_action_takes_the_entry_sanitize if {
	decision := data.aegis.decision with input as fx.docs_mcp("read_document", {"id": "a"}) with data.tenants as fx.tenants
	decision.outcome == "sanitize"
	decision.rule_id == "acme/finance-agent/allowed_tools/docs-mcp/sanitize"
	decision.redactions == {"headers": [], "query": [], "params": ["ssn"]}
}

test_action_object_sanitize_replaces_the_entry_sanitize if {
	decision := data.aegis.decision with input as fx.docs_mcp("delete_document", {"id": "a"}) with data.tenants as fx.tenants
	decision.outcome == "sanitize"
	decision.rule_id == "acme/finance-agent/allowed_tools/docs-mcp/actions/delete_document/sanitize"
	decision.redactions == {"headers": ["x-api-key"], "query": [], "params": []}
}
