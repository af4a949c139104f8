# Parameter rules of the called action (docs/policy-format.md, "params"): every rule judges
# every value its path reaches; a broken rule denies param_not_allowed with the rule's own id.
# A missing parameter passes every rule but `required`.
package aegis.params

import data.aegis.request
import data.aegis.tools

# The called action's parameter rules; undefined when the call is not permitted or the action
# has none (then nothing here applies).
config := tools.action_config.params if {
	tools.permitted
	is_object(tools.action_config.params)
}

rules contains rule if {
	some rule in config.rules
	is_object(rule)
	is_array(rule.steps)
	is_string(rule.rule_id)
}

# ---- Walking a path ---------------------------------------------------------------------
# Rego has no recursion, so a path is walked in a fixed number of steps (the compiler refuses
# longer paths: MAX_PARAM_PATH_STEPS in src/policy/param-path.ts). Each step maps the values
# reached so far to the values one step further: a name looks into objects, "[]" into arrays.

step(values, steps, i) := values if count(steps) <= i

step(values, steps, i) := [x | some v in values; is_object(v); x := v[steps[i]]] if {
	i < count(steps)
	steps[i] != "[]"
}

step(values, steps, i) := [x | some v in values; is_array(v); some x in v] if {
	i < count(steps)
	steps[i] == "[]"
}

# The values reached before each step: levels(steps)[i] are the values step i looks into.
levels(steps) := [v0, v1, v2, v3, v4, v5, v6, v7, v8] if {
	v0 := [request.params]
	v1 := step(v0, steps, 0)
	v2 := step(v1, steps, 1)
	v3 := step(v2, steps, 2)
	v4 := step(v3, steps, 3)
	v5 := step(v4, steps, 4)
	v6 := step(v5, steps, 5)
	v7 := step(v6, steps, 6)
	v8 := step(v7, steps, 7)
}

# Each rule's path walked once per decision, by rule id (unique within an action), and only
# when its first step is present: most rules name parameters a call does not send.
walked := {rule.rule_id: levels(rule.steps) |
	some rule in rules
	count(rule.steps) <= 8
	present(rule)
}

present(rule) if has_field(request.params, rule.steps[0])

# Every value the path reaches; [] when it reaches none (also for a path longer than 8 steps,
# which the compiler refuses).
values(rule) := reached if {
	reached := walked[rule.rule_id][count(rule.steps)]
} else := []

# Some value on the way lacks the next step: an object without the name, or a non-list where
# the path says "[]" (or a non-object where it names a field).
default missing(_) := false

missing(rule) if not present(rule)

missing(rule) if {
	some i, name in rule.steps
	i < 8
	some v in walked[rule.rule_id][i]
	name != "[]"
	not has_field(v, name)
}

missing(rule) if {
	some i, name in rule.steps
	i < 8
	some v in walked[rule.rule_id][i]
	name == "[]"
	not is_array(v)
}

missing(rule) if count(rule.steps) > 8

has_field(v, name) if {
	is_object(v)
	_ = v[name]
}

# ---- The rule kinds ---------------------------------------------------------------------
# fails(kind, rule, v): the value breaks the rule's `kind`; each kind applies only when set.

kinds := ["enum", "pattern", "glob", "min", "max", "max_length", "hosts", "forbidden"]

broken(rule, v) := {kind | some kind in kinds; fails(kind, rule, v)}

fails("enum", rule, v) if {
	is_array(rule.enum)
	not v in rule.enum
}

fails("pattern", rule, v) if {
	is_string(rule.pattern)
	not matches_pattern(rule.pattern, v)
}

fails("glob", rule, v) if {
	is_array(rule.glob)
	not matches_glob(rule.glob, v)
}

fails("min", rule, v) if {
	is_number(rule.min)
	not at_least(rule.min, v)
}

fails("max", rule, v) if {
	is_number(rule.max)
	not at_most(rule.max, v)
}

fails("max_length", rule, v) if {
	is_number(rule.max_length)
	not short_enough(rule.max_length, v)
}

fails("hosts", rule, v) if {
	is_object(rule.hosts)
	not url_host_allowed(rule.hosts, v)
}

fails("forbidden", rule, _) if rule.forbidden == true

matches_pattern(pattern, v) if {
	is_string(v)
	regex.match(pattern, v)
}

# ---- Numbers: the amount rule's parsing, with a sign ------------------------------------
# A JSON number, or a string in plain decimal notation ("12.50", "-3"); magnitudes below 10^15.

number(raw) := raw if {
	is_number(raw)
	raw > -1000000000000000
	raw < 1000000000000000
}

number(raw) := to_number(raw) + 0 if {
	is_string(raw)
	regex.match(`^-?[0-9]{1,15}(\.[0-9]+)?$`, raw)
}

at_least(limit, v) if number(v) >= limit

at_most(limit, v) if number(v) <= limit

# ---- Lengths: characters of a string, elements of a list --------------------------------

short_enough(limit, v) if {
	is_string(v)
	count(v) <= limit
}

short_enough(limit, v) if {
	is_array(v)
	count(v) <= limit
}

# ---- Path globs -------------------------------------------------------------------------
# The value is resolved first: empty and "." segments dropped, ".." removing the segment before
# it and never rising above the root. The resolved path is written as "/<segment>" per segment
# ("" for the root), which the compiled expressions match (src/policy/path-glob.ts). A value
# with a backslash, a NUL, an encoded dot, slash or backslash, or more than 64 segments is
# refused: another reader of it could resolve it differently.

max_path_segments := 64

matches_glob(globs, v) if {
	resolved := resolved_path(v)
	some glob in globs
	regex.match(glob, resolved)
}

resolved_path(v) := concat("", [concat("", ["/", parts[k]]) | some k in kept]) if {
	is_string(v)
	not unsafe_path(v)
	parts := split(v, "/")
	count(parts) <= max_path_segments
	deltas := [delta(s) | some s in parts]

	# Depth after each segment, before the root clamps it, then clamped.
	raw := [sum(array.slice(deltas, 0, i + 1)) | some i, _ in deltas]
	depth := [h | some i, d in raw; h := d - min([0, min(array.slice(raw, 0, i + 1))])]

	# A name survives when no later ".." takes the path back above it.
	kept := [k |
		some k, d in deltas
		d == 1
		every later in array.slice(depth, k + 1, count(depth)) {
			later >= depth[k]
		}
	]
}

# String tests rather than a regex: cheaper in WASM (see url_pattern).
unsafe_path(v) if contains(v, "\\")

unsafe_path(v) if contains(v, "\u0000")

unsafe_path(v) if {
	some encoded in ["%2e", "%2f", "%5c", "%00"]
	contains(lower(v), encoded)
}

delta(s) := 0 if s in {"", "."}

delta(s) := -1 if s == ".."

delta(s) := 1 if not s in {"", ".", ".."}

# ---- URL hosts --------------------------------------------------------------------------
# http or https only (any case), no userinfo, no port but the scheme's default, and a plain DNS
# host: dot-separated labels of letters, digits and inner hyphens, an optional trailing dot (no
# percent-encoding, no IP literal in brackets, no backslash). The host ends at the first "/",
# "?" or "#"; anything else in the authority (an "@", a "\", a tab) fails the host test, so no
# reader of the URL can find another host in it. The host is then matched like the egress
# allowlist. String functions rather than one expression: opa-wasm starts every evaluation with
# a fresh heap, so each regex.match compiles its pattern anew, and a URL pattern costs ~200 µs.

host_chars := "abcdefghijklmnopqrstuvwxyz0123456789.-"

url_host_allowed(hosts, v) if {
	is_string(v)
	some scheme in ["http", "https"]
	startswith(lower(v), concat("", [scheme, "://"]))
	authority := split(split(split(substring(v, count(scheme) + 3, -1), "/")[0], "?")[0], "#")[0]
	host_port := split(authority, ":")
	default_port(scheme, host_port)
	host := trim_suffix(lower(host_port[0]), ".")
	dns_name(host)
	host_listed(hosts, host)
}

dns_name(host) if {
	host != ""
	trim(host, host_chars) == ""
	every label in split(host, ".") {
		label != ""
		not startswith(label, "-")
		not endswith(label, "-")
	}
}

default_port(_, host_port) if count(host_port) == 1

default_port(scheme, host_port) if {
	count(host_port) == 2
	trim(host_port[1], "0123456789") == ""
	host_port[1] != ""
	to_number(host_port[1]) == {"http": 80, "https": 443}[scheme]
}

host_listed(hosts, host) if hosts.exact[host] == true

host_listed(hosts, host) if {
	some suffix in hosts.suffixes
	is_string(suffix)
	endswith(host, suffix)
}

# ---- Findings ---------------------------------------------------------------------------

# Every broken rule, with the value's kind of failure, for `aegis eval --explain`.
violations contains {"rule_id": rule.rule_id, "path": rule.path, "kind": "required"} if {
	some rule in rules
	rule.required == true
	missing(rule)
}

violations contains {"rule_id": rule.rule_id, "path": rule.path, "kind": kind} if {
	some rule in rules
	some v in values(rule)
	some kind in broken(rule, v)
}

violations contains {"rule_id": config.additional_rule_id, "path": name, "kind": "additional_params"} if {
	config.additional == "deny"
	some name, _ in request.params
	not config.named[name]
}

denies contains {"reason": "param_not_allowed", "rule_id": v.rule_id} if some v in violations
