# Rule ids come from the compiled data (docs/contracts.md §1). A deny must still fire when
# the compiler left an id out, so a missing id falls back to the built-in "aegis/<key>"
# instead of making the deny undefined.
package aegis.rule_ids

# The id the compiler stored under holder.rule_ids[key].
keyed(holder, key) := id if {
	id := holder.rule_ids[key]
	is_string(id)
} else := builtin(key)

# The id the compiler stored as holder.rule_id (egress allowlists, budgets).
own(holder, reason) := id if {
	id := holder.rule_id
	is_string(id)
} else := builtin(reason)

builtin(key) := concat("/", ["aegis", key])
