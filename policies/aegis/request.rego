# The policy input (docs/contracts.md §2), read defensively.
#
# Every other package reads the input through the normalized values here, never through
# `input` directly, so a field of the wrong type can never make a rule undefined or raise a
# builtin error: it turns into the "unknown" value (null, "", {}) and, separately, into an
# invalid_request deny. An absent field is read as the value the host sends when it knows
# nothing (tenant null, host "", params {}, no parent, no spending), which never allows more
# than the present field would.
package aegis.request

default tenant := null

tenant := input.tenant if is_string(input.tenant)

default agent := null

agent := input.agent if is_string(input.agent)

default tool := null

tool := input.tool if is_string(input.tool)

default action := null

action := input.action if is_string(input.action)

default params := {}

params := input.params if is_object(input.params)

default host := ""

host := input.host if is_string(input.host)

# The port the Host header names; null when it names none (the scheme's default applies).
default port := null

port := input.port if valid_port(input.port)

# "http", "https", or "" when unknown.
default scheme := ""

scheme := input.scheme if is_string(input.scheme)

# Envoy sent only part of the body; a value of the wrong type is read as truncated.
default truncated_body := false

truncated_body if input.truncated_body == true

truncated_body if {
	value := input.truncated_body
	not is_boolean(value)
}

# The body is one Aegis does not read (multipart, text, binary): its parameters are unknown. A
# value of the wrong type is read as unread.
default unread_body := false

unread_body if input.unread_body == true

unread_body if {
	value := input.unread_body
	not is_boolean(value)
}

# Set only for a request to an MCP server (SPEC §7): the JSON-RPC method, or GET, DELETE or
# response for transport requests without one.
default mcp_method := null

mcp_method := input.mcp.method if is_string(input.mcp.method)

# Protocol traffic: an MCP request that names no action (tools/call, resources/read and
# prompts/get always name one).
default mcp_protocol := false

mcp_protocol if {
	is_string(mcp_method)
	action == null
}

default parent := null

parent := input.call_chain.parent if is_string(input.call_chain.parent)

default depth := null

depth := input.call_chain.depth if is_number(input.call_chain.depth)

default chain_verified := false

chain_verified if input.call_chain.verified == true

default chain_error := null

chain_error := input.call_chain.error if is_string(input.call_chain.error)

# What the host says was already spent in the budget's current window.
spent(name) := amount if {
	amount := input.budgets[name].spent
	is_number(amount)
	amount >= 0
} else := 0

denies contains {"reason": "invalid_request", "rule_id": "aegis/invalid_request"} if invalid

# A flag rather than "not is_object(input)", which is undefined (not true) when there is no
# input at all, as when the opa-wasm SDK is handed null: OPA hoists a negated call's
# arguments out of the negation.
default input_is_object := false

input_is_object if is_object(input)

invalid if not input_is_object

invalid if {
	some field in ["tenant", "agent", "tool", "action"]
	value := input[field]
	not string_or_null(value)
}

invalid if {
	value := input.params
	not is_object(value)
}

invalid if {
	value := input.host
	not is_string(value)
}

invalid if {
	value := input.port
	value != null
	not valid_port(value)
}

invalid if {
	value := input.scheme
	not is_string(value)
}

invalid if {
	value := input.truncated_body
	not is_boolean(value)
}

invalid if {
	value := input.unread_body
	not is_boolean(value)
}

invalid if {
	value := input.call_chain
	not is_object(value)
}

invalid if {
	value := input.mcp
	not is_object(value)
}

invalid if {
	value := input.mcp.method
	not string_or_null(value)
}

invalid if {
	value := input.call_chain.parent
	not string_or_null(value)
}

invalid if {
	value := input.call_chain.depth
	not is_number(value)
}

invalid if {
	value := input.call_chain.verified
	not is_boolean(value)
}

invalid if {
	value := input.call_chain.error
	not string_or_null(value)
}

invalid if {
	value := input.budgets
	not is_object(value)
}

invalid if {
	is_object(input.budgets)
	some counter in input.budgets
	not valid_counter(counter)
}

string_or_null(value) if is_string(value)

valid_port(value) if {
	is_number(value)
	value == floor(value)
	value >= 1
	value <= 65535
}

string_or_null(value) if value == null

valid_counter(counter) if {
	is_number(counter.spent)
	counter.spent >= 0
}
