# The called action's schedule: allowed days and times of day in an IANA time zone. The WASM
# runtime has no clock, so the host puts the local weekday and minute of the day in each zone
# the agent's schedules name into input.now.zones (docs/contracts.md §2). A missing or malformed
# clock for the zone is outside every schedule: the call fails closed.
package aegis.schedule

import data.aegis.rule_ids
import data.aegis.tools

# Undefined when the call is not permitted or the action has no schedule.
schedule := tools.action_config.schedule if {
	tools.permitted
	is_object(tools.action_config.schedule)
}

# The host-supplied clock is read here rather than through aegis.request: only a call with a
# schedule reads it, and a bad one denies outside_schedule, never invalid_request.
clock := input.now.zones[schedule.timezone]

default within := false

within if {
	is_string(clock.day)
	is_number(clock.minute)
	clock.day in schedule.days
	some range in schedule.minutes
	range[0] <= clock.minute
	clock.minute < range[1]
}

denies contains {"reason": "outside_schedule", "rule_id": rule_ids.keyed(tools.action_config, "outside_schedule")} if {
	is_object(schedule)
	not within
}
