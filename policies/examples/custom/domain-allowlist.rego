# A domain allowlist, as a custom module: the research agent shares documents only with
# addresses at the tenant's own domains, and the addresses never reach a log.
package aegis.custom.acme["research-agent"]

allowed_domains := {"acme.com", "acme.internal"}

sharing if {
	input.tool == "docs-mcp"
	input.action == "share_document"
}

# `recipient` (one address) or `recipients` (a list).
recipients contains r if {
	sharing
	r := input.params.recipient
}

recipients contains r if {
	sharing
	some r in input.params.recipients
}

domain(address) := lower(parts[1]) if {
	is_string(address)
	parts := split(address, "@")
	count(parts) == 2
	parts[0] != ""
}

allowed(address) if allowed_domains[domain(address)]

deny contains {"reason": "recipient_domain", "message": "documents may be shared only with acme.com and acme.internal addresses"} if {
	some r in recipients
	not allowed(r)
}

deny contains {"reason": "recipient_missing", "message": "name who receives the document in `recipient`"} if {
	sharing
	count(recipients) == 0
}

redact contains {"params": ["recipient", "recipients"]} if sharing
