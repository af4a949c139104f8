import { describe, expect, it } from "vitest";
import { createPolicyContext } from "./policy-context.ts";

const agent = (budget: string) => ({ tools: {}, budgets: [{ name: budget, window_seconds: 60, limit: 1, rule_id: budget }] });

describe("the policy context", () => {
  it("keeps the views of two agents apart whatever characters their names hold (NUL included)", () => {
    // Tenant "a" with agent "b\0c", and tenant "a\0b" with agent "c": a separator-joined cache key would be equal.
    const data = { tenants: { a: { agents: { "b\u0000c": agent("first") } }, "a\u0000b": { agents: { c: agent("second") } } } };
    const policy = createPolicyContext("r1", { dataJson: new TextEncoder().encode(JSON.stringify(data)) });
    expect(policy.agent("a", "b\u0000c")?.budgets[0]?.name).toBe("first");
    expect(policy.agent("a\u0000b", "c")?.budgets[0]?.name).toBe("second");
    expect(policy.agent("a", "b\u0000c")?.budgets[0]?.name).toBe("first");
  });

  it("knows no agent its tenant does not list", () => {
    const policy = createPolicyContext("r1", { dataJson: new TextEncoder().encode(JSON.stringify({ tenants: { a: { agents: { b: agent("x") } } } })) });
    expect(policy.agent("a", "c")).toBeUndefined();
    expect(policy.agent("z", "b")).toBeUndefined();
  });
});
