# A tenant-wide custom module for policies/aegis/custom_test.rego, as `aegis build` would ship it
# (with the rule ids it adds). A test file, so it never goes into a bundle.
package aegis.custom.testco

deny contains {"reason": "blocked_host", "message": "that host is blocked", "rule_id": "custom/tenant.rego:5"} if input.host == "blocked.example"

deny contains {"reason": "custom:prefixed", "message": "the prefix is kept once", "rule_id": "custom/tenant.rego:7"} if input.params.prefixed == true

deny contains {"reason": "not a name!", "rule_id": "custom/tenant.rego:9"} if input.params.bad_reason == true

deny contains "just a string" if input.params.not_an_object == true

needs_approval contains {"reason": "night_shift", "message": "a human looks at night", "rule_id": "custom/tenant.rego:13"} if input.params.night == true

redact contains {"headers": ["X-Token"], "params": ["secret"], "rule_id": "custom/tenant.rego:15"} if input.params.secret
