package custom_examples.domain_allowlist_test

import data.aegis.custom.acme["research-agent"] as sharing

share(params) := {"tool": "docs-mcp", "action": "share_document", "params": params}

test_an_address_at_an_allowed_domain_passes_and_is_redacted if {
	count(sharing.deny) == 0 with input as share({"recipient": "ana@ACME.com"})

	# (`aegis build` adds a rule_id to each entry, so only the lists are compared.)
	[r.params | some r in sharing.redact] == [["recipient", "recipients"]] with input as share({"recipient": "ana@acme.com"})
}

refused := {
	"another domain": {"recipient": "eve@evil.example"},
	"a look-alike domain": {"recipient": "eve@acme.com.evil.example"},
	"two at signs": {"recipient": "eve@evil.example@acme.com"},
	"no local part": {"recipient": "@acme.com"},
	"not a string": {"recipient": ["ana@acme.com"]},
	"one bad address in a list": {"recipients": ["ana@acme.com", "eve@evil.example"]},
}

test_other_recipients_are_denied[name] if {
	some name, params in refused
	denies := sharing.deny with input as share(params)
	{d.reason | some d in denies} == {"recipient_domain"}
}

test_a_share_without_a_recipient_is_denied if {
	denies := sharing.deny with input as share({})
	{d.reason | some d in denies} == {"recipient_missing"}
}

test_other_actions_are_not_judged if {
	count(sharing.deny) == 0 with input as {"tool": "docs-mcp", "action": "read_document", "params": {"recipient": "eve@evil.example"}}
	count(sharing.redact) == 0 with input as {"tool": "docs-mcp", "action": "read_document", "params": {}}
}
