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

# Ports (SPEC §3): an entry without a port admits the scheme's default port only.
test_portless_entry_admits_the_default_port_of_the_scheme[name] if {
	some name, patch in {
		"no port": {"port": null, "scheme": "https"},
		"no port, no scheme": {"port": null, "scheme": ""},
		"443 over https": {"port": 443, "scheme": "https"},
		"80 over http": {"port": 80, "scheme": "http"},
		"443, scheme unknown": {"port": 443, "scheme": ""},
		"80, scheme unknown": {"port": 80},
	}
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, patch) with data.tenants as fx.tenants
	decision.outcome == "allow"
}

test_portless_entry_refuses_every_other_port[name] if {
	some name, patch in {
		"smtp": {"port": 25, "scheme": "http"},
		"smtp, scheme unknown": {"port": 25},
		"80 over https": {"port": 80, "scheme": "https"},
		"443 over http": {"port": 443, "scheme": "http"},
		"8443, scheme unknown": {"port": 8443, "scheme": ""},
		"wildcard entry, port 25": {"port": 25, "host": "wiki.docs.acme.internal", "tool": "docs-search", "action": "search"},
	}
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, patch) with data.tenants as fx.tenants
	decision.reason == "egress_denied"
}

ported_tenants := fx.with_fields(fx.tenants, {"acme": fx.with_fields(fx.tenants.acme, {"egress": object.union(fx.tenants.acme.egress, {
	"exact_ports": {"api.stripe.com": [8443], "pay.example": [8443]},
	"suffix_ports": [{"suffix": ".docs.acme.internal", "port": 9443}],
})})})

test_host_port_entry_admits_its_port[name] if {
	some name, patch in {
		"exact": {"port": 8443},
		"exact, default port still": {"port": 443, "scheme": "https"},
		"wildcard": {"host": "wiki.docs.acme.internal", "port": 9443},
		"port-only host on its port": {"host": "pay.example", "port": 8443},
	}
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, patch) with data.tenants as ported_tenants
	decision.outcome == "allow"
}

test_host_port_entry_admits_no_other_port[name] if {
	some name, patch in {
		"exact, other port": {"port": 8444},
		"wildcard, the exact entry's port": {"host": "wiki.docs.acme.internal", "port": 8443},
		"wildcard on the bare suffix": {"host": "docs.acme.internal", "port": 9443},
		"port-only host on the default port": {"host": "pay.example", "port": null, "scheme": "https"},
		"port-only host, port unknown": {"host": "pay.example", "port": null, "scheme": ""},
	}
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, patch) with data.tenants as ported_tenants
	decision.reason == "egress_denied"
}

test_a_port_that_is_no_port_is_an_invalid_request[port] if {
	some port in [0, 65536, -1, 1.5, "443", true, {}]
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, {"port": port}) with data.tenants as fx.tenants
	decision.reason == "invalid_request"
}

test_a_scheme_that_is_no_string_is_an_invalid_request if {
	decision := data.aegis.decision with input as fx.with_fields(fx.payment, {"scheme": 443}) with data.tenants as fx.tenants
	decision.reason == "invalid_request"
}
