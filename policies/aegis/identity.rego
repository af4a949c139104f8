# Who is calling: the tenant and agent named by the input must have a policy.
package aegis.identity

import data.aegis.request

# Direct lookups by key: evaluation cost does not grow with the number of tenants or agents.
tenant_config := data.tenants[request.tenant]

agent_config := tenant_config.agents[request.agent]

default tenant_known := false

tenant_known if is_object(tenant_config)

default agent_known := false

agent_known if is_object(agent_config)

denies contains {"reason": "unknown_agent", "rule_id": "aegis/unknown_agent"} if not agent_known

# Shadow mode of either the tenant or the agent wins: the host then lets the call through and
# records what would have happened. An unknown agent reports its tenant's mode.
default mode := "enforce"

mode := "shadow" if tenant_config.mode == "shadow"

mode := "shadow" if agent_config.mode == "shadow"
