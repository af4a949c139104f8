package aegis.chain_test

import data.aegis.test_fixtures as fx

violation := {"reason": "call_chain_violation", "rule_id": "acme/finance-agent/call_chain"}

chain(parent, depth, verified, error) := {"parent": parent, "depth": depth, "verified": verified, "error": error}

# finance-agent accepts the parent "planner" up to depth 2.
chains := {
	"no parent": {"chain": chain(null, 0, false, null), "violation": false},
	"no parent, stale facts": {"chain": chain(null, 5, true, "ignored"), "violation": false},
	"verified direct parent": {"chain": chain("planner", 1, true, null), "violation": false},
	"verified parent at max depth": {"chain": chain("planner", 2, true, null), "violation": false},
	"verified parent beyond max depth": {"chain": chain("planner", 3, true, null), "violation": true},
	"unverified parent": {"chain": chain("planner", 1, false, null), "violation": true},
	"parent with verification error": {"chain": chain("planner", 1, true, "signature expired"), "violation": true},
	"parent not allowed": {"chain": chain("stranger", 1, true, null), "violation": true},
	"empty parent name": {"chain": chain("", 1, true, null), "violation": true},
	"parent without depth": {"chain": {"parent": "planner", "verified": true, "error": null}, "violation": true},
	"parent without verified": {"chain": {"parent": "planner", "depth": 1, "error": null}, "violation": true},
}

test_call_chain[name] if {
	some name, case in chains
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, {"call_chain": case.chain}) with data.tenants as fx.tenants
	verdict(decision) == case.violation
}

verdict(decision) if {
	decision.deny_reasons == [violation]
	decision.reason == "call_chain_violation"
	decision.rule_id == violation.rule_id
} else := false if {
	decision.outcome == "allow"
}

test_absent_call_chain_means_no_parent if {
	decision := data.aegis.decision with input as object.remove(fx.payment, {"call_chain"}) with data.tenants as fx.tenants
	decision.outcome == "allow"
}

# planner has no call_chain block: no parent is allowed at all.
test_agent_without_call_chain_policy_accepts_no_parent if {
	request := fx.with_fields(fx.docs_search, {"agent": "planner", "call_chain": chain("finance-agent", 1, true, null)})
	decision := data.aegis.decision with input as request with data.tenants as fx.tenants
	decision.deny_reasons == [{"reason": "call_chain_violation", "rule_id": "acme/planner/call_chain"}]
}

test_agent_without_call_chain_policy_is_fine_without_parent if {
	decision := data.aegis.decision with input as fx.with_fields(fx.docs_search, {"agent": "planner"}) with data.tenants as fx.tenants
	decision.outcome == "allow"
}

test_violation_is_reported_before_egress_and_tool_denies if {
	request := fx.with_fields(fx.payment, {
		"call_chain": chain("stranger", 1, true, null),
		"host": "evil.example",
		"tool": "github",
	})
	fx.reasons(data.aegis.decision) == ["call_chain_violation", "egress_denied", "tool_not_allowed"] with input as request with data.tenants as fx.tenants
}
