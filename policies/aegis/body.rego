# Partial bodies (SPEC §4): when Envoy sent only part of the body, the parameters Aegis read are
# not the parameters the upstream will read (an "amount" after the cut, a form field repeated
# past it, an MCP tools/call whose name never arrived). The call is denied with body_truncated
# unless its policy provably needs nothing from the body.
package aegis.body

import data.aegis.budget
import data.aegis.identity
import data.aegis.request
import data.aegis.tools

# Fields that read nothing from the body: of the tool entry, and of the called action's
# effective settings (amount and sanitize only when empty). Any other field, such as one a newer
# compiler adds, counts as reading the body: the check fails closed rather than guessing.
tool_body_free_fields := {"actions", "rule_ids"}

# `response` (sanitize.response) reads the tool result, never the request body.
action_body_free_fields := {"rule_ids", "amount", "sanitize", "response"}

# Unknown agent, tool or action: nothing proves the body unneeded (the action itself may be
# the name of an MCP tools/call that was cut off).
reads_body if not tools.permitted

reads_body if tools.action_config.amount != null

reads_body if count(object.get(tools.action_config, ["sanitize", "params"], [])) > 0

reads_body if {
	some field, value in tools.config
	not field in tool_body_free_fields
	value != null
}

reads_body if {
	some field, value in tools.action_config
	not field in action_body_free_fields
	value != null
}

# A spend budget charges the value of a parameter.
reads_body if {
	some entry in identity.agent_config.budgets
	budget.applies(entry)
	entry.sum_param != null
}

# A custom module that applies to the caller (package aegis.custom.<tenant>, or
# aegis.custom.<tenant>.<agent>; SPEC §3) may read any parameter. Read by literal set names, as
# aegis.custom_rules does (see there for why), so another agent's module does not count.
reads_body if data.aegis.custom[request.tenant].deny

reads_body if data.aegis.custom[request.tenant].needs_approval

reads_body if data.aegis.custom[request.tenant].redact

reads_body if data.aegis.custom[request.tenant][request.agent].deny

reads_body if data.aegis.custom[request.tenant][request.agent].needs_approval

reads_body if data.aegis.custom[request.tenant][request.agent].redact

denies contains {"reason": "body_truncated", "rule_id": "aegis/body_truncated"} if {
	request.truncated_body
	reads_body
}

# A body Aegis does not read (multipart fields, text, binary) carries parameters the upstream may
# read and the policy never saw: like a partial body, it is refused wherever the policy reads the
# body, as an invalid request.
denies contains {"reason": "invalid_request", "rule_id": "aegis/body_unreadable"} if {
	request.unread_body
	not request.truncated_body
	reads_body
}
