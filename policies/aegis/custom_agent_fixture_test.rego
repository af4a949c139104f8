# An agent's custom module for policies/aegis/custom_test.rego (see the tenant fixture).
package aegis.custom.testco.bot

deny contains {"reason": "too_many_items", "message": "at most 3 items", "rule_id": "custom/bot.rego:5"} if count(input.params.items) > 3

needs_approval contains {"reason": "big_order", "amount": 7, "threshold": 3, "hard_limit": 9, "rule_id": "custom/bot.rego:7"} if count(input.params.items) == 3
