package aegis.egress_test

import data.aegis.test_fixtures as fx

# acme allows api.stripe.com exactly and *.docs.acme.internal.
allowed_hosts := {"api.stripe.com", "wiki.docs.acme.internal", "deep.wiki.docs.acme.internal"}

denied_hosts := {
	"docs.acme.internal",
	"evildocs.acme.internal",
	".docs.acme.internal",
	"",
	"stripe.com",
	"evil-api.stripe.com",
	"sub.api.stripe.com",
	"api.stripe.com.evil.example",
	"wiki.docs.acme.internal.evil.example",
}

test_allowlisted_host_passes[host] if {
	some host in allowed_hosts
	decision := data.aegis.decision with input as fx.with_fields(fx.docs_search, {"host": host}) with data.tenants as fx.tenants
	decision.deny_reasons == []
	decision.outcome == "sanitize"
}

test_other_host_is_egress_denied[host] if {
	some host in denied_hosts
	decision := data.aegis.decision with input as fx.with_fields(fx.docs_search, {"host": host}) with data.tenants as fx.tenants
	decision.outcome == "deny"
	decision.reason == "egress_denied"
	decision.rule_id == "acme/egress_allowlist"
	decision.deny_reasons == [{"reason": "egress_denied", "rule_id": "acme/egress_allowlist"}]
}

test_exact_entry_allows_the_call if {
	decision := data.aegis.decision with input as fx.payment with data.tenants as fx.tenants
	decision.outcome == "allow"
	decision.deny_reasons == []
}

test_tenant_without_egress_block_denies_every_host_with_the_builtin_rule_id if {
	tenants := fx.with_fields(fx.tenants, {"acme": object.remove(fx.tenants.acme, {"egress"})})
	decision := data.aegis.decision with input as fx.payment with data.tenants as tenants
	decision.reason == "egress_denied"
	decision.rule_id == "aegis/egress_denied"
}

# A suffix stored without its leading dot would match "evil" + name; it is ignored instead.
undotted_suffix_tenants := fx.with_fields(fx.tenants, {"acme": fx.with_fields(fx.tenants.acme, {"egress": {
	"exact": {},
	"suffixes": ["docs.acme.internal"],
	"rule_id": "acme/egress_allowlist",
}})})

test_suffix_without_leading_dot_is_ignored[host] if {
	some host in ["evildocs.acme.internal", "wiki.docs.acme.internal", "docs.acme.internal"]
	request := fx.with_fields(fx.docs_search, {"host": host})
	decision := data.aegis.decision with input as request with data.tenants as undotted_suffix_tenants
	decision.reason == "egress_denied"
}
