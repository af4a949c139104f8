# The policy author's own Rego (docs/rego.md, "Custom modules"): modules in package
# aegis.custom.<tenant> (every agent of the tenant) or aegis.custom.<tenant>.<agent> add to the
# decision through three partial sets, read here by key for the caller's tenant and agent:
#   deny           contains {"reason": name, "message": m}   -> deny custom:<name>, after every built-in deny
#   needs_approval contains {"reason": name, "message": m}   -> approval_needed, after the amount rule's
#   redact         contains {"params": [..], "headers": [..], "query": [..]} -> sanitize, with the built-in lists
# `aegis build` adds "rule_id": "<file>.rego:<row>" to each entry of these sets.
package aegis.custom_rules

import data.aegis.amount
import data.aegis.identity
import data.aegis.request

# Custom rules judge only a caller with a policy; anyone else is unknown_agent already. Each set
# is read by a literal name: opa build -t wasm (v1.22) emits an invalid module for a lookup whose
# last key is a function argument under two dynamic keys. The comprehensions make a tenant or
# agent without a module read as no entries.
deny_entries := array.concat(
	[entry | identity.agent_known; some entry in data.aegis.custom[request.tenant].deny],
	[entry | identity.agent_known; some entry in data.aegis.custom[request.tenant][request.agent].deny],
)

approval_entries := array.concat(
	[entry | identity.agent_known; some entry in data.aegis.custom[request.tenant].needs_approval],
	[entry | identity.agent_known; some entry in data.aegis.custom[request.tenant][request.agent].needs_approval],
)

redact_entries := array.concat(
	[entry | identity.agent_known; some entry in data.aegis.custom[request.tenant].redact],
	[entry | identity.agent_known; some entry in data.aegis.custom[request.tenant][request.agent].redact],
)

# A reason is a short name (it labels metrics): letters, digits, "_", "." and "-". "custom:" is
# added unless the entry already starts with it; any other reason is custom:invalid_reason, and
# still denies.
reason_of(entry) := concat("", ["custom:", name]) if {
	is_string(entry.reason)
	name := trim_prefix(entry.reason, "custom:")
	regex.match(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`, name)
} else := "custom:invalid_reason"

rule_id_of(entry) := entry.rule_id if is_string(entry.rule_id)

else := "aegis/custom"

denies contains {"reason": reason_of(entry), "rule_id": rule_id_of(entry)} if some entry in deny_entries

# Every deny with its author's message, for `aegis eval --explain`.
messages contains {"reason": reason_of(entry), "rule_id": rule_id_of(entry), "message": entry.message} if {
	some entry in deny_entries
	is_string(entry.message)
}

# ---- needs_approval ---------------------------------------------------------------------
# The first entry by rule id decides. Its approval details are its own numeric amount,
# threshold and hard_limit, else the amount rule's (when the action has one), else 0.
approvals := sort([[rule_id_of(entry), entry] | some entry in approval_entries])

approval_needed if count(approvals) > 0

approval_rule_id := approvals[0][0]

approval := {
	"amount": detail(approvals[0][1], "amount", rule_amount),
	"threshold": detail(approvals[0][1], "threshold", rule_threshold),
	"hard_limit": detail(approvals[0][1], "hard_limit", rule_hard_limit),
} if approval_needed

detail(entry, key, fallback) := entry[key] if is_number(entry[key])

else := fallback

default rule_amount := 0

rule_amount := amount.amount if is_number(amount.amount)

default rule_threshold := 0

rule_threshold := amount.conditions.threshold if is_number(amount.conditions.threshold)

default rule_hard_limit := 0

rule_hard_limit := amount.conditions.hard_limit if is_number(amount.conditions.hard_limit)

# ---- redact -----------------------------------------------------------------------------

redacting if {
	some entry in redact_entries
	some kind in ["headers", "query", "params"]
	count(names(entry, kind)) > 0
}

redact_rule_id := min({rule_id_of(entry) | some entry in redact_entries}) if redacting

names(entry, kind) := {n | some n in entry[kind]; is_string(n)}

# Header names compare lower-cased, as Envoy hands them over.
redactions := {
	"headers": sort({lower(n) | some entry in redact_entries; some n in names(entry, "headers")}),
	"query": sort({n | some entry in redact_entries; some n in names(entry, "query")}),
	"params": sort({n | some entry in redact_entries; some n in names(entry, "params")}),
} if redacting
