# The tenant's egress allowlist: exact hosts, and "*.suffix" wildcards stored as ".suffix".
package aegis.egress

import data.aegis.identity
import data.aegis.request
import data.aegis.rule_ids

default allowed := false

allowed if identity.tenant_config.egress.exact[request.host] == true

# A wildcard matches a name with at least one more label: ".docs.acme.internal" matches
# "wiki.docs.acme.internal" but neither "docs.acme.internal" nor "evildocs.acme.internal".
# The leading-dot check keeps a suffix stored without its dot from matching "evil" + name.
allowed if {
	some suffix in identity.tenant_config.egress.suffixes
	is_string(suffix)
	startswith(suffix, ".")
	endswith(request.host, suffix)
	count(request.host) > count(suffix)
}

# An unknown tenant has no allowlist to judge by; unknown_agent already denies.
denies contains {"reason": "egress_denied", "rule_id": rule_id} if {
	identity.tenant_known
	not allowed
}

rule_id := rule_ids.own(identity.tenant_config.egress, "egress_denied") if {
	is_object(identity.tenant_config.egress)
} else := rule_ids.builtin("egress_denied")
