package custom_examples.credit_band_test

import data.aegis.custom.acme["support-agent"] as credits

credit(value) := {"tool": "helpdesk-mcp", "action": "issue_credit", "params": {"credit": value}}

test_a_small_credit_passes if {
	count(credits.deny) == 0 with input as credit(50)
	count(credits.needs_approval) == 0 with input as credit(50)
}

test_a_credit_in_the_band_needs_approval if {
	approvals := credits.needs_approval with input as credit("120.50")
	[a.reason | some a in approvals] == ["credit_band"]
	[a.amount | some a in approvals] == [120.5]
	count(credits.deny) == 0 with input as credit(250)
}

test_a_credit_above_the_cap_is_denied if {
	denies := credits.deny with input as credit(251)
	{d.reason | some d in denies} == {"credit_cap"}
}

test_a_credit_that_is_not_an_amount_is_denied[name] if {
	some name, value in {"missing": null, "negative": -1, "text": "ten", "exponent": "1e2"}
	denies := credits.deny with input as credit(value)
	{d.reason | some d in denies} == {"credit_invalid"}
}

test_other_actions_are_not_judged if {
	count(credits.deny) == 0 with input as {"tool": "helpdesk-mcp", "action": "read_ticket", "params": {}}
}
