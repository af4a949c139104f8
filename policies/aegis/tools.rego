# Which tools and actions the agent may call, and what the called action wants sanitized.
package aegis.tools

import data.aegis.identity
import data.aegis.request
import data.aegis.rule_ids

# The agent's entry for the called tool.
config := identity.agent_config.tools[request.tool]

default known := false

known if is_object(config)

# The called action's effective settings (docs/contracts.md §1): the tool entry's, with an
# action object's own in their place. Every rule of the action reads them from here.
action_config := config.actions[request.action]

default action_allowed := false

action_allowed if is_object(action_config)

# The call passes the tool and action checks; the action's conditions apply only then.
permitted if {
	known
	action_allowed
}

# An unknown agent has no tool list to judge by; unknown_agent already denies.
denies contains {"reason": "tool_not_allowed", "rule_id": rule_ids.keyed(identity.agent_config, "tool_not_allowed")} if {
	identity.agent_known
	not known
}

# MCP protocol traffic names no action; aegis.mcp judges its method instead.
denies contains {"reason": "action_not_allowed", "rule_id": rule_ids.keyed(config, "action_not_allowed")} if {
	known
	not action_allowed
	not request.mcp_protocol
}

# The called action's sanitize lists; undefined when it has no sanitize block.
redactions := {
	"headers": listed(block, "headers"),
	"query": listed(block, "query"),
	"params": listed(block, "params"),
} if {
	block := action_config.sanitize
	is_object(block)
}

listed(block, kind) := names if {
	names := block[kind]
	is_array(names)
} else := []
