package aegis.params_test

import data.aegis.test_fixtures as fx

prefix := "acme/store-agent/allowed_tools/store"

rule(path, kinds) := object.union(
	{
		"path": path, "rule_id": concat("/", [prefix, "params", path]),
		"required": false, "forbidden": false, "enum": null, "pattern": null, "glob": null,
		"min": null, "max": null, "max_length": null, "hosts": null,
	},
	kinds,
)

store_params := {
	"rules": [
		rule("currency", {"steps": ["currency"], "enum": ["usd", "eur", 1]}),
		rule("debug", {"steps": ["debug"], "forbidden": true}),
		rule("items[].sku", {"steps": ["items", "[]", "sku"], "required": true, "pattern": `^(?:[A-Z]{3}-[0-9]+)$`}),
		rule("note", {"steps": ["note"], "max_length": 5}),
		rule("path", {"steps": ["path"], "glob": [`^/docs(?:/[^/]+)*$`, `^/pub/[^/]*\.md$`]}),
		rule("qty", {"steps": ["qty"], "min": -2, "max": 10}),
		rule("recipient.country", {"steps": ["recipient", "country"], "enum": ["de", "fr"]}),
		rule("token", {"steps": ["token"], "required": true}),
		rule("url", {"steps": ["url"], "hosts": {"exact": {"example.org": true}, "suffixes": [".wikipedia.org"]}}),
	],
	"additional": "deny",
	"named": {k: true | some k in ["currency", "debug", "items", "note", "path", "qty", "recipient", "token", "url"]},
	"additional_rule_id": concat("/", [prefix, "additional_params"]),
}

store_agent := object.union(fx.planner, {
	"rule_ids": {"tool_not_allowed": "acme/store-agent/allowed_tools", "call_chain_violation": "acme/store-agent/call_chain"},
	"tools": {"store": {
		"actions": {"put": {"amount": null, "sanitize": null, "params": store_params, "schedule": null, "rule_ids": {"allowed": concat("/", [prefix, "actions"])}}},
		"rule_ids": {"action_not_allowed": concat("/", [prefix, "actions"])},
	}},
})

tenants := object.union(fx.tenants, {"acme": {"agents": {"store-agent": store_agent}}})

valid_params := {
	"currency": "usd",
	"items": [{"sku": "ABC-1"}, {"sku": "XYZ-22"}],
	"note": "hi",
	"path": "/docs/handbook/intro.md",
	"qty": 3,
	"recipient": {"country": "de"},
	"token": "t",
	"url": "https://en.wikipedia.org/wiki/Rego",
}

put(params) := fx.with_fields(fx.payment, {"agent": "store-agent", "tool": "store", "action": "put", "params": params})

test_valid_parameters_pass if {
	decision := data.aegis.decision with input as put(valid_params) with data.tenants as tenants
	decision.outcome == "allow"
	decision.rule_id == concat("/", [prefix, "actions"])
}

# Only the required rules care about absence: every other parameter may be left out.
test_missing_parameters_pass_every_rule_but_required if {
	decision := data.aegis.decision with input as put({"token": "t", "items": []}) with data.tenants as tenants
	decision.outcome == "allow"
}

# name -> [patch of the top-level params, the rule (path) that breaks]
broken_cases := {
	"enum: a value not listed": [{"currency": "gbp"}, "currency"],
	"enum: case matters": [{"currency": "USD"}, "currency"],
	"enum: the string of a listed number": [{"currency": "1"}, "currency"],
	"enum: a list is not a listed value": [{"currency": ["usd"]}, "currency"],
	"nested enum": [{"recipient": {"country": "us"}}, "recipient.country"],
	"pattern: one element of a list": [{"items": [{"sku": "ABC-1"}, {"sku": "abc-1"}]}, "items[].sku"],
	"pattern: anchored at the end": [{"items": [{"sku": "ABC-1x"}]}, "items[].sku"],
	"pattern: anchored at the start": [{"items": [{"sku": "xABC-1"}]}, "items[].sku"],
	"pattern: a number is not a string": [{"items": [{"sku": 12}]}, "items[].sku"],
	"required: an element without the field": [{"items": [{"sku": "ABC-1"}, {}]}, "items[].sku"],
	"required: the list is not a list": [{"items": {"sku": "ABC-1"}}, "items[].sku"],
	"required: absent": [{"token": null}, "token"],
	"glob: outside the tree": [{"path": "/etc/passwd"}, "path"],
	"glob: dot-dot out of the tree": [{"path": "/docs/../etc/passwd"}, "path"],
	"glob: dot-dot far above the root": [{"path": "/docs/../../../../etc"}, "path"],
	"glob: a prefix look-alike": [{"path": "/docsx/a"}, "path"],
	"glob: * stays within a segment": [{"path": "/pub/a/b.md"}, "path"],
	"glob: encoded slash": [{"path": "/docs%2f..%2fetc"}, "path"],
	"glob: encoded dots": [{"path": "/docs/%2E%2E/etc"}, "path"],
	"glob: backslash": [{"path": "/docs\\..\\etc"}, "path"],
	"glob: NUL": [{"path": "/docs/a\u0000"}, "path"],
	"glob: not a string": [{"path": ["/docs/a"]}, "path"],
	"glob: too many segments": [{"path": concat("/", array.concat(["", "docs"], [s | some s in numbers.range(1, 70); s > 0]))}, "path"],
	"min: below": [{"qty": -3}, "qty"],
	"max: above": [{"qty": 10.5}, "qty"],
	"max: a string above": [{"qty": "11"}, "qty"],
	"min/max: not a number": [{"qty": "1e3"}, "qty"],
	"min/max: a boolean": [{"qty": true}, "qty"],
	"max_length: too long": [{"note": "hello!"}, "note"],
	"max_length: counts characters, not bytes (6 > 5)": [{"note": "ääääää"}, "note"],
	"max_length: a number has no length": [{"note": 5}, "note"],
	"hosts: another host": [{"url": "https://evil.example/wiki"}, "url"],
	"hosts: the bare suffix": [{"url": "https://wikipedia.org/"}, "url"],
	"hosts: a suffix look-alike": [{"url": "https://evilwikipedia.org/"}, "url"],
	"hosts: the allowed host as a subdomain of another": [{"url": "https://en.wikipedia.org.evil.example/"}, "url"],
	"hosts: userinfo": [{"url": "https://en.wikipedia.org@evil.example/"}, "url"],
	"hosts: userinfo naming an allowed host": [{"url": "https://user:pw@en.wikipedia.org/"}, "url"],
	"hosts: backslash before @": [{"url": "https://evil.example\\@en.wikipedia.org/"}, "url"],
	"hosts: a non-default port": [{"url": "https://en.wikipedia.org:8443/"}, "url"],
	"hosts: the other scheme's default port": [{"url": "https://en.wikipedia.org:80/"}, "url"],
	"hosts: another scheme": [{"url": "ftp://en.wikipedia.org/"}, "url"],
	"hosts: javascript": [{"url": "javascript://en.wikipedia.org/%0aalert(1)"}, "url"],
	"hosts: scheme-relative": [{"url": "//en.wikipedia.org/"}, "url"],
	"hosts: one slash": [{"url": "https:/en.wikipedia.org/"}, "url"],
	"hosts: percent-encoded host": [{"url": "https://en%2ewikipedia.org/"}, "url"],
	"hosts: an IPv6 literal": [{"url": "http://[::1]/"}, "url"],
	"hosts: whitespace": [{"url": "https://en.wikipedia.org/ x"}, "url"],
	"hosts: a leading space": [{"url": " https://en.wikipedia.org/"}, "url"],
	"hosts: not a string": [{"url": {"host": "en.wikipedia.org"}}, "url"],
	"forbidden: present": [{"debug": false}, "debug"],
	"forbidden: present as null": [{"debug": null}, "debug"],
}

test_a_broken_rule_denies_param_not_allowed_with_its_rule_id[name] if {
	some name, [patch, path] in broken_cases
	params := {k: v | some k, v in object.union(valid_params, patch); v != null}
	with_nulls := object.union(params, {k: v | some k, v in patch; v == null; k != "token"})
	decision := data.aegis.decision with input as put(with_nulls) with data.tenants as tenants
	decision.outcome == "deny"
	decision.reason == "param_not_allowed"
	decision.rule_id == concat("/", [prefix, "params", path])
	decision.deny_reasons == [{"reason": "param_not_allowed", "rule_id": decision.rule_id}]
}

glob_allowed_cases := {
	"glob: dot segments inside the tree": {"path": "/docs/a/../b/./c"},
	"glob: the tree itself": {"path": "/docs"},
	"glob: a trailing slash": {"path": "/docs/"},
	"glob: doubled slashes": {"path": "//docs//a"},
	"glob: without the leading slash": {"path": "docs/a"},
	"glob: dot-dot at the root stays at the root": {"path": "/../docs/a"},
	"glob: * within a segment": {"path": "/pub/notes.md"},
}

host_allowed_cases := {
	"hosts: exact": {"url": "http://example.org"},
	"hosts: exact with the default port": {"url": "http://example.org:80/a?b#c"},
	"hosts: a deeper name": {"url": "https://a.b.wikipedia.org/x"},
	"hosts: upper-case scheme and host": {"url": "HTTPS://EN.Wikipedia.ORG/wiki"},
	"hosts: a trailing dot": {"url": "https://en.wikipedia.org./"},
	"hosts: query without a path": {"url": "https://en.wikipedia.org?x=1"},
}

other_allowed_cases := {
	"min/max: bounds included": {"qty": -2},
	"min/max: upper bound as a string": {"qty": "10"},
	"min/max: a decimal string": {"qty": "-1.5"},
	"max_length: exactly the limit": {"note": "hello"},
	"max_length: characters, not bytes (5)": {"note": "äääää"},
	"enum: a listed number": {"currency": 1},
	"enum: a listed number written as a float": {"currency": 1.0},
	"required: an empty list reaches no element": {"items": []},
}

# In three groups, so no one test nears opa test's 5 s timeout on a busy machine.
test_values_within_the_glob_rules_pass[name] if {
	some name, patch in glob_allowed_cases
	decision := data.aegis.decision with input as put(object.union(valid_params, patch)) with data.tenants as tenants
	decision.outcome == "allow"
}

test_values_within_the_host_rules_pass[name] if {
	some name, patch in host_allowed_cases
	decision := data.aegis.decision with input as put(object.union(valid_params, patch)) with data.tenants as tenants
	decision.outcome == "allow"
}

test_values_within_the_other_rules_pass[name] if {
	some name, patch in other_allowed_cases
	decision := data.aegis.decision with input as put(object.union(valid_params, patch)) with data.tenants as tenants
	decision.outcome == "allow"
}

test_additional_params_deny_refuses_an_unnamed_parameter if {
	decision := data.aegis.decision with input as put(object.union(valid_params, {"extra": 1})) with data.tenants as tenants
	decision.reason == "param_not_allowed"
	decision.rule_id == concat("/", [prefix, "additional_params"])
}

test_additional_params_allow_lets_unnamed_parameters_through if {
	lenient := json.patch(tenants, [{"op": "replace", "path": "/acme/agents/store-agent/tools/store/actions/put/params/additional", "value": "allow"}])
	decision := data.aegis.decision with input as put(object.union(valid_params, {"extra": 1})) with data.tenants as lenient
	decision.outcome == "allow"
}

test_every_broken_rule_is_listed_in_rule_id_order if {
	decision := data.aegis.decision with input as put(object.union(valid_params, {"currency": "gbp", "qty": 99})) with data.tenants as tenants
	decision.deny_reasons == [
		{"reason": "param_not_allowed", "rule_id": concat("/", [prefix, "params", "currency"])},
		{"reason": "param_not_allowed", "rule_id": concat("/", [prefix, "params", "qty"])},
	]
}

# Precedence: after action_not_allowed, before invalid_amount.
test_param_not_allowed_comes_after_action_not_allowed_and_before_the_amount if {
	payments := json.patch(tenants, [{"op": "add", "path": "/acme/agents/store-agent/tools/store/actions/put/amount", "value": {"param": "qty", "threshold": 5, "hard_limit": 6}}])
	decision := data.aegis.decision with input as put(object.union(valid_params, {"currency": "gbp", "qty": "x"})) with data.tenants as payments
	fx.reasons(decision) == ["param_not_allowed", "param_not_allowed", "invalid_amount"]
	decision.reason == "param_not_allowed"
	unlisted := data.aegis.decision with input as object.union(put(valid_params), {"action": "drop"}) with data.tenants as tenants
	fx.reasons(unlisted) == ["action_not_allowed"]
}

test_violations_name_the_kind_that_broke if {
	violations := data.aegis.params.violations with input as put(object.union(valid_params, {"url": "https://evil.example/", "extra": 1})) with data.tenants as tenants
	violations == {
		{"rule_id": concat("/", [prefix, "params", "url"]), "path": "url", "kind": "hosts"},
		{"rule_id": concat("/", [prefix, "additional_params"]), "path": "extra", "kind": "additional_params"},
	}
}

test_resolved_paths if {
	data.aegis.params.resolved_path("/a/b/../c/./d//") == "/a/c/d"
	data.aegis.params.resolved_path("../../a") == "/a"
	data.aegis.params.resolved_path("/") == ""
	data.aegis.params.resolved_path("/a/b/../../..") == ""
	data.aegis.params.resolved_path("a/../../b/c/..") == "/b"
}
