# The Aegis decision served the OPA-Envoy way: the plugin hands Rego the whole CheckRequest, so
# the mapping Aegis does in TypeScript (src/input) happens here in Rego, then the same
# data.aegis.decision runs on the same data.json, and the result object has the shape the plugin
# turns into an ok or denied response (allowed, headers, http_status, body, dynamic_metadata).
# data.bench.revision is the Aegis bundle revision, staged by the harness beside data.json.
package envoy.authz

http_request := input.attributes.request.http

headers := object.get(http_request, "headers", {})

route := object.get(input.attributes, "contextExtensions", {})

query_params[name] := value if {
	some name, values in input.parsed_query
	count(values) == 1
	value := values[0]
}

query_params[name] := values if {
	some name, values in input.parsed_query
	count(values) > 1
}

body_params := input.parsed_body if is_object(input.parsed_body)

default body_params := {}

aegis_input := {
	"tenant": object.get(headers, "x-aegis-tenant", null),
	"agent": object.get(headers, "x-aegis-agent", null),
	"identity_source": "header",
	"tool": object.get(route, "tool", null),
	"action": object.get(route, "action", null),
	"params": object.union(query_params, body_params),
	"host": trim_suffix(lower(split(object.get(http_request, "host", ""), ":")[0]), "."),
	"method": object.get(http_request, "method", ""),
	"path": split(object.get(http_request, "path", "/"), "?")[0],
	"truncated_body": input.truncated_body,
	"call_chain": {"parent": null, "depth": 0, "verified": false, "error": null},
	"budgets": {},
}

decision := d if {
	d := data.aegis.decision with input as aegis_input
}

metadata := {
	"outcome": decision.outcome,
	"rule_id": decision.rule_id,
	"policy_version": data.bench.revision,
}

result := {
	"allowed": decision.allow,
	"headers": {"x-aegis-policy-version": data.bench.revision},
	"dynamic_metadata": metadata,
} if decision.allow

result := {
	"allowed": false,
	"http_status": 403,
	"headers": {"content-type": "application/json"},
	"body": json.marshal({"error": "PolicyViolation", "reason": decision.reason, "rule_id": decision.rule_id}),
	"dynamic_metadata": metadata,
} if not decision.allow
