package aegis.schedule_test

import data.aegis.test_fixtures as fx

prefix := "acme/planner/allowed_tools/docs-search"

# Weekdays 09:00-12:00 and 13:00-17:30, Berlin time.
office_hours := {"timezone": "Europe/Berlin", "days": ["mon", "tue", "wed", "thu", "fri"], "minutes": [[540, 720], [780, 1050]]}

scheduled := json.patch(fx.tenants, [
	{"op": "add", "path": "/acme/agents/planner/tools/docs-search/actions/search/schedule", "value": office_hours},
	{"op": "add", "path": "/acme/agents/planner/tools/docs-search/actions/search/rule_ids/outside_schedule", "value": concat("/", [prefix, "schedule"])},
])

search_at(now) := fx.with_fields(fx.docs_search, {"agent": "planner", "now": now})

berlin(day, minute) := {"unix_ms": 0, "zones": {"Europe/Berlin": {"day": day, "minute": minute}}}

inside := {
	"start of the morning": berlin("mon", 540),
	"end of the morning, one minute before": berlin("fri", 719),
	"afternoon": berlin("wed", 1000),
	"other zones beside": {"zones": {"UTC": {"day": "sun", "minute": 0}, "Europe/Berlin": {"day": "tue", "minute": 600}}},
}

test_calls_inside_the_schedule_pass[name] if {
	some name, now in inside
	decision := data.aegis.decision with input as search_at(now) with data.tenants as scheduled
	decision.outcome == "allow"
}

outside := {
	"before opening": berlin("mon", 539),
	"the end is excluded": berlin("mon", 720),
	"lunch": berlin("tue", 750),
	"after closing": berlin("thu", 1050),
	"weekend": berlin("sat", 600),
	"no clock at all": null,
	"no clock for the zone": {"zones": {"UTC": {"day": "mon", "minute": 600}}},
	"a malformed day": berlin("Monday", 600),
	"a day in upper case": berlin("MON", 600),
	"a minute that is a string": berlin("mon", "600"),
	"zones is a list": {"zones": [{"day": "mon", "minute": 600}]},
}

test_calls_outside_the_schedule_are_denied[name] if {
	some name, now in outside
	decision := data.aegis.decision with input as search_at(now) with data.tenants as scheduled
	decision.outcome == "deny"
	decision.reason == "outside_schedule"
	decision.rule_id == concat("/", [prefix, "schedule"])
}

test_a_call_without_a_schedule_needs_no_clock if {
	decision := data.aegis.decision with input as search_at(null) with data.tenants as fx.tenants
	decision.outcome == "allow"
}

# Precedence: outside_schedule after param_not_allowed, before invalid_amount.
test_outside_schedule_is_reported_between_param_and_amount_denies if {
	patched := json.patch(scheduled, [
		{"op": "add", "path": "/acme/agents/planner/tools/docs-search/actions/search/amount", "value": {"param": "amount", "threshold": 1, "hard_limit": 2}},
		{"op": "add", "path": "/acme/agents/planner/tools/docs-search/actions/search/params", "value": {
			"rules": [], "additional": "deny", "named": {"amount": true},
			"additional_rule_id": concat("/", [prefix, "additional_params"]),
		}},
	])
	request := fx.with_fields(search_at(berlin("sun", 0)), {"params": {"amount": "x", "q": 1}})
	decision := data.aegis.decision with input as request with data.tenants as patched
	fx.reasons(decision) == ["param_not_allowed", "outside_schedule", "invalid_amount"]
}
