# The entrypoint aegis/decision (docs/contracts.md §3): exactly one decision object for any
# input. The reasoning lives in the sub-packages; this rule only gives it the contract shape.
package aegis

import data.aegis.budget
import data.aegis.identity
import data.aegis.outcome

decision := {
	"outcome": outcome.verdict.outcome,
	"allow": outcome.allow,
	"reason": outcome.verdict.reason,
	"rule_id": outcome.verdict.rule_id,
	"deny_reasons": outcome.deny_reasons,
	"mode": identity.mode,
	"redactions": outcome.redactions,
	"approval": outcome.approval,
	"budget_charges": budget.charges,
}
