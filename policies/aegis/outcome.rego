# Combines the findings of every rule into one outcome.
# Precedence of outcomes: deny > approval_needed > sanitize > allow.
package aegis.outcome

import data.aegis.amount
import data.aegis.body
import data.aegis.budget
import data.aegis.chain
import data.aegis.custom_rules
import data.aegis.egress
import data.aegis.identity
import data.aegis.mcp
import data.aegis.params
import data.aegis.request
import data.aegis.rule_ids
import data.aegis.schedule
import data.aegis.tools

# When several denies fire, the first of this list is reported (SPEC §3).
precedence := [
	"invalid_request",
	"body_truncated",
	"unknown_agent",
	"call_chain_violation",
	"egress_denied",
	"tool_not_allowed",
	"action_not_allowed",
	"param_not_allowed",
	"outside_schedule",
	"invalid_amount",
	"blocked_over_hard_limit",
	"budget_exceeded",
]

rank := {reason: i | some i, reason in precedence}

# A custom module's reasons (custom:<name>) come after every built-in one.
rank_of(reason) := i if {
	i := rank[reason]
} else := count(precedence)

denies := {deny |
	some source in [request.denies, body.denies, identity.denies, chain.denies, egress.denies, tools.denies, mcp.denies, params.denies, schedule.denies, amount.denies, budget.denies, custom_rules.denies]
	some deny in source
}

# Every deny that fired, by precedence, then by rule id for a stable order within a reason.
deny_reasons := [{"reason": entry[2], "rule_id": entry[1]} |
	some entry in sort([[rank_of(d.reason), d.rule_id, d.reason] | some d in denies])
]

# Only a call that no rule denies reaches the later branches, and then the agent, the tool
# and the action are known (otherwise unknown_agent, tool_not_allowed or action_not_allowed
# would have fired), so tools.action_config is defined there.
verdict := {"outcome": "deny", "reason": first.reason, "rule_id": first.rule_id} if {
	first := deny_reasons[0]
} else := {"outcome": "approval_needed", "reason": "approval_needed", "rule_id": amount.rule_id} if {
	amount.status == "approval_needed"
} else := {"outcome": "approval_needed", "reason": "approval_needed", "rule_id": custom_rules.approval_rule_id} if {
	custom_rules.approval_needed
} else := {"outcome": "sanitize", "reason": "sanitized", "rule_id": rule_ids.keyed(tools.action_config, "sanitize")} if {
	tools.redactions
} else := {"outcome": "sanitize", "reason": "sanitized", "rule_id": custom_rules.redact_rule_id} if {
	custom_rules.redacting
} else := {"outcome": "allow", "reason": "within_limit", "rule_id": amount.rule_id} if {
	amount.status == "within_limit"
} else := {"outcome": "allow", "reason": "allowed", "rule_id": rule_ids.keyed(tools.action_config, "allowed")} if {
	count(deny_reasons) == 0
	tools.permitted
} else := {"outcome": "allow", "reason": "allowed", "rule_id": mcp.rule_id} if {
	count(deny_reasons) == 0
	mcp.protocol_allowed
}

default allow := false

allow if verdict.outcome in {"allow", "sanitize"}

default redactions := {"headers": [], "query": [], "params": []}

# The action's sanitize lists and a custom module's redact lists together.
redactions := {kind: names |
	some kind in ["headers", "query", "params"]
	names := sort({n | some lists in [action_redactions, custom_redactions]; some n in lists[kind]})
} if verdict.outcome == "sanitize"

default action_redactions := {}

action_redactions := tools.redactions if is_object(tools.redactions)

default custom_redactions := {}

custom_redactions := custom_rules.redactions if is_object(custom_rules.redactions)

default approval := null

approval := amount.approval if {
	verdict.outcome == "approval_needed"
	amount.status == "approval_needed"
} else := custom_rules.approval if verdict.outcome == "approval_needed"
