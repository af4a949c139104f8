# Call chain: a call made on behalf of a parent agent. The host verifies the signed
# attestation and hands over facts only (parent, depth, verified, error).
package aegis.chain

import data.aegis.identity
import data.aegis.request
import data.aegis.rule_ids

# A call without a parent needs no permission. A call that names one passes only when the
# attestation verified, the agent's policy lists that parent, and the depth is within bounds.
# An agent without a call_chain block (null) accepts no parent at all.
parent_allowed if {
	request.chain_verified
	request.chain_error == null
	policy := identity.agent_config.call_chain
	request.parent in policy.allowed_parents
	is_number(request.depth)
	is_number(policy.max_depth)
	request.depth <= policy.max_depth
}

# An unknown agent has no call_chain policy to judge by; unknown_agent already denies.
denies contains {"reason": "call_chain_violation", "rule_id": rule_ids.keyed(identity.agent_config, "call_chain_violation")} if {
	identity.agent_known
	request.parent != null
	not parent_allowed
}
