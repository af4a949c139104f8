# Which tools and actions the agent may call, and what the called tool wants sanitized.
package aegis.tools

import data.aegis.identity
import data.aegis.request
import data.aegis.rule_ids

# The agent's entry for the called tool.
config := identity.agent_config.tools[request.tool]

default known := false

known if is_object(config)

default action_allowed := false

action_allowed if config.actions[request.action] == true

# The call passes the tool and action checks; the tool's conditions apply only then.
permitted if {
	known
	action_allowed
}

# An unknown agent has no tool list to judge by; unknown_agent already denies.
denies contains {"reason": "tool_not_allowed", "rule_id": rule_ids.keyed(identity.agent_config, "tool_not_allowed")} if {
	identity.agent_known
	not known
}

denies contains {"reason": "action_not_allowed", "rule_id": rule_ids.keyed(config, "action_not_allowed")} if {
	known
	not action_allowed
}

# The called tool's sanitize lists; undefined when the tool has no sanitize block.
redactions := {
	"headers": listed(block, "headers"),
	"query": listed(block, "query"),
	"params": listed(block, "params"),
} if {
	block := config.sanitize
	is_object(block)
}

listed(block, kind) := names if {
	names := block[kind]
	is_array(names)
} else := []
