# The tenant's egress allowlist: exact hosts, and "*.suffix" wildcards stored as ".suffix".
# An entry without a port admits the scheme's default port only; "host:port" entries (stored in
# exact_ports / suffix_ports) admit that one port.
package aegis.egress

import data.aegis.identity
import data.aegis.request
import data.aegis.rule_ids

default allowed := false

allowed if {
	identity.tenant_config.egress.exact[request.host] == true
	default_port
}

allowed if {
	some suffix in identity.tenant_config.egress.suffixes
	under(suffix)
	default_port
}

allowed if {
	some port in identity.tenant_config.egress.exact_ports[request.host]
	port == effective_port
}

allowed if {
	some entry in identity.tenant_config.egress.suffix_ports
	under(entry.suffix)
	entry.port == effective_port
}

# A wildcard matches a name with at least one more label: ".docs.acme.internal" matches
# "wiki.docs.acme.internal" but neither "docs.acme.internal" nor "evildocs.acme.internal".
# The leading-dot check keeps a suffix stored without its dot from matching "evil" + name.
under(suffix) if {
	is_string(suffix)
	startswith(suffix, ".")
	endswith(request.host, suffix)
	count(request.host) > count(suffix)
}

# The default ports of each scheme. With the scheme unknown, only 80 and 443 count as default.
scheme_ports := {"http": {80}, "https": {443}}

default_ports := scheme_ports[request.scheme] if {
	scheme_ports[request.scheme]
} else := {80, 443}

# A Host header without a port goes to the scheme's default port.
default default_port := false

default_port if request.port == null

default_port if request.port in default_ports

# The port the call goes to; undefined when neither the Host header nor the scheme says, so a
# "host:port" entry never matches a call whose port is unknown.
effective_port := request.port if request.port != null

effective_port := 80 if {
	request.port == null
	request.scheme == "http"
}

effective_port := 443 if {
	request.port == null
	request.scheme == "https"
}

# An unknown tenant has no allowlist to judge by; unknown_agent already denies.
denies contains {"reason": "egress_denied", "rule_id": rule_id} if {
	identity.tenant_known
	not allowed
}

rule_id := rule_ids.own(identity.tenant_config.egress, "egress_denied") if {
	is_object(identity.tenant_config.egress)
} else := rule_ids.builtin("egress_denied")
