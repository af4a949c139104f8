package aegis.identity_test

import data.aegis.test_fixtures as fx

unknown_agent_entry := {"reason": "unknown_agent", "rule_id": "aegis/unknown_agent"}

unknown := {
	"tenant is null": {"tenant": null},
	"agent is null": {"agent": null},
	"tenant and agent are null": {"tenant": null, "agent": null},
	"tenant has no policy": {"tenant": "globex"},
	"agent has no policy in its tenant": {"agent": "intruder"},
	"agent belongs to another tenant": {"tenant": "beta"},
	"agent name is empty": {"agent": ""},
}

test_unknown_identity_is_denied[name] if {
	some name, patch in unknown
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, patch) with data.tenants as fx.tenants
	decision.outcome == "deny"
	decision.reason == "unknown_agent"
	decision.rule_id == "aegis/unknown_agent"
	decision.deny_reasons[0] == unknown_agent_entry
}

# Agent-level rules have no policy to judge an unknown agent by.
test_unknown_agent_reports_no_agent_level_denies if {
	request := fx.with_fields(fx.payment, {
		"agent": "intruder",
		"tool": "nope",
		"params": {"amount": "bad"},
		"call_chain": {"parent": "someone", "depth": 1, "verified": false, "error": null},
	})
	decision := data.aegis.decision with input as request with data.tenants as fx.tenants
	fx.reasons(decision) == ["unknown_agent"]
}

test_unknown_agent_of_a_known_tenant_still_gets_the_egress_verdict if {
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, {"agent": "intruder", "host": "evil.example"}) with data.tenants as fx.tenants
	decision.deny_reasons == [unknown_agent_entry, {"reason": "egress_denied", "rule_id": "acme/egress_allowlist"}]
}

test_unknown_tenant_reports_no_egress_verdict if {
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, {"tenant": "globex", "host": "evil.example"}) with data.tenants as fx.tenants
	fx.reasons(decision) == ["unknown_agent"]
}

modes := {
	"enforce tenant, enforce agent": {"patch": {}, "mode": "enforce"},
	"enforce tenant, shadow agent": {"patch": {"agent": "shadow-agent", "tool": "docs-search", "action": "search", "host": "wiki.docs.acme.internal"}, "mode": "shadow"},
	"shadow tenant, enforce agent": {"patch": {"tenant": "beta", "agent": "helper", "tool": "docs-search", "action": "search", "host": "api.beta.example"}, "mode": "shadow"},
	"unknown agent of a shadow tenant": {"patch": {"tenant": "beta", "agent": "intruder"}, "mode": "shadow"},
	"unknown agent of an enforce tenant": {"patch": {"agent": "intruder"}, "mode": "enforce"},
	"unknown tenant": {"patch": {"tenant": "globex"}, "mode": "enforce"},
	"no identity": {"patch": {"tenant": null, "agent": null}, "mode": "enforce"},
}

test_mode[name] if {
	some name, case in modes
	data.aegis.decision.mode == case.mode with input as fx.with_fields(fx.payment, case.patch) with data.tenants as fx.tenants
}

# Shadow mode changes only the mode: the host, not Rego, lets the call through.
test_shadow_mode_keeps_the_real_decision if {
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, {"tenant": "beta", "agent": "helper", "tool": "docs-search", "action": "search", "host": "evil.example"}) with data.tenants as fx.tenants
	decision.mode == "shadow"
	decision.outcome == "deny"
	decision.reason == "egress_denied"
	decision.rule_id == "beta/egress_allowlist"
}

test_shadow_agent_allowed_call_reports_shadow_and_allow if {
	decision := data.aegis.decision with input as fx.with_fields(fx.docs_search, {"agent": "shadow-agent"}) with data.tenants as fx.tenants
	decision.mode == "shadow"
	decision.outcome == "allow"
	decision.reason == "allowed"
	decision.rule_id == "acme/planner/allowed_tools/docs-search/actions"
}
