# MCP protocol traffic (SPEC §7): on a tool the host reads as an MCP server, requests that name
# no action (initialize, notifications, ping, the lists, the SSE GET, the session DELETE, the
# client's responses) are allowed for an agent that may use the tool at all, when the method is
# in the tool's list: its `mcp.methods`, else the default list. Anything else is
# action_not_allowed. tools/call, resources/read and prompts/get are actions (aegis.tools).
package aegis.mcp

import data.aegis.request
import data.aegis.rule_ids
import data.aegis.tools

# The compiler writes this list for every `protocol: mcp` entry; it is here for a tool the
# route or the catalog marks as MCP while the policy entry does not. Keep in step with
# src/policy/mcp-methods.ts.
default_methods := [
	"initialize", "notifications/*", "ping", "tools/list", "resources/list", "resources/templates/list",
	"prompts/list", "completion/complete", "logging/setLevel", "GET", "DELETE", "response",
]

methods := tools.config.mcp.methods if {
	is_array(tools.config.mcp.methods)
} else := default_methods

# "notifications/*" lists every method under "notifications/".
listed(method) if method in methods

listed(method) if {
	some entry in methods
	endswith(entry, "/*")
	startswith(method, trim_suffix(entry, "*"))
}

default protocol_allowed := false

protocol_allowed if {
	request.mcp_protocol
	tools.known
	listed(request.mcp_method)
}

rule_id := id if {
	id := tools.config.mcp.rule_id
	is_string(id)
} else := rule_ids.keyed(tools.config, "action_not_allowed")

denies contains {"reason": "action_not_allowed", "rule_id": rule_id} if {
	request.mcp_protocol
	tools.known
	not listed(request.mcp_method)
}
