# Amount caps with an approval band, as a custom module: the support agent's goodwill credits.
# Up to 50 go straight through, above 50 and up to 250 a human approves, above 250 never.
# (A YAML `conditions` block says the same for one parameter; Rego is for when the band depends
# on more than the amount.)
package aegis.custom.acme["support-agent"]

import data.aegis.amount

band := {"approve_above": 50, "cap": 250}

crediting if {
	input.tool == "helpdesk-mcp"
	input.action == "issue_credit"
}

# The library's amount parsing: a number or a plain decimal string, never negative.
credit := amount.value(input.params.credit)

default credit_valid := false

credit_valid if is_number(credit)

deny contains {"reason": "credit_invalid", "message": "give the credit as a non-negative number in `credit`"} if {
	crediting
	not credit_valid
}

deny contains {"reason": "credit_cap", "message": "credits above 250 are never granted; offer a refund instead"} if {
	crediting
	credit > band.cap
}

needs_approval contains {
	"reason": "credit_band",
	"message": "credits above 50 wait for a human",
	"amount": credit,
	"threshold": band.approve_above,
	"hard_limit": band.cap,
} if {
	crediting
	credit > band.approve_above
	credit <= band.cap
}
