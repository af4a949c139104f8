# Amount conditions of the called action (SPEC §3): T = threshold, H = hard_limit.
#   amount <= T      -> within_limit
#   T < amount <= H  -> approval_needed
#   amount > H       -> blocked_over_hard_limit (deny)
#   missing, not a non-negative finite number, or 10^15 or more -> invalid_amount (deny)
package aegis.amount

import data.aegis.request
import data.aegis.rule_ids
import data.aegis.tools

# A JSON number counts, and so does a string in plain decimal notation, since form and query
# values arrive as strings. "", "1e3", "NaN", "Infinity", "-5", "+5", " 5" and every
# non-number, non-string value are undefined here.
#
# Amounts are below 10^15 (a string has at most 15 digits before the point): beyond that no
# currency amount is meant, a double no longer holds every cent, and a number past what a double
# holds at all (1e400, 400 digits) would reach the host as Infinity, which no JSON can carry.
# The host keeps such a JSON number as its source text, a string, which fails here too.
amount_limit := 1000000000000000

value(raw) := raw if {
	is_number(raw)
	raw >= 0
	raw < amount_limit
}

# "+ 0" canonicalizes the number: to_number keeps "0005000" as the literal 0005000, which is
# not valid JSON and would break serializing the decision.
value(raw) := to_number(raw) + 0 if {
	is_string(raw)
	regex.match(`^[0-9]{1,15}(\.[0-9]+)?$`, raw)
}

# The called action's amount conditions; undefined when the call is not permitted or the
# action has none (then nothing here applies).
conditions := tools.action_config.amount if {
	tools.permitted
	is_object(tools.action_config.amount)
}

amount := value(request.params[conditions.param])

# A named flag, not "not is_number(amount)": OPA hoists the argument of a negated call out of
# the negation, so an undefined amount would make that expression undefined instead of true.
default valid := false

valid if is_number(amount)

# The amount rule's verdict, named by its reason; undefined when no conditions apply.
status := "invalid_amount" if {
	is_object(conditions)
	not valid
} else := "within_limit" if {
	amount <= conditions.threshold
} else := "approval_needed" if {
	amount <= conditions.hard_limit
} else := "blocked_over_hard_limit" if {
	is_number(amount)
}

rule_id := rule_ids.keyed(tools.action_config, status)

denies contains {"reason": status, "rule_id": rule_id} if status in {"invalid_amount", "blocked_over_hard_limit"}

approval := {
	"amount": amount,
	"threshold": conditions.threshold,
	"hard_limit": conditions.hard_limit,
} if status == "approval_needed"
