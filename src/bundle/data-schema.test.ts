// schemas/data.schema.json accepts what the compiler writes and refuses shapes the host would trip on.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isAegisError } from "../errors/registry.ts";
import { compilePolicies } from "../policy/compile-policies.ts";
import { indexData } from "./data-index.ts";
import { checkBundleData, checkBundleDataBytes } from "./data-schema.ts";

const compiled = async (dir: string): Promise<Record<string, unknown>> => {
  const result = await compilePolicies(fileURLToPath(new URL(`../../${dir}`, import.meta.url)));
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return JSON.parse(JSON.stringify(result.data)) as Record<string, unknown>;
};

function refusalOf(check: () => void): string {
  try {
    check();
  } catch (err) {
    if (isAegisError(err, "AEGIS_ERR_BUNDLE_DATA_INVALID")) return err.message;
    throw err;
  }
  throw new Error("accepted");
}

/** The refusal of the parsed document, which the piecewise check of its bytes must repeat exactly. */
function refusal(data: unknown): string {
  const whole = refusalOf(() => checkBundleData(data));
  const bytes = new TextEncoder().encode(JSON.stringify(data));
  expect(refusalOf(() => checkBundleDataBytes(bytes, indexData(bytes)))).toBe(whole);
  return whole;
}

const acceptsBytes = (data: unknown) => {
  const bytes = new TextEncoder().encode(JSON.stringify(data));
  checkBundleDataBytes(bytes, indexData(bytes));
};

describe("checkBundleData", () => {
  it.each(["policies/examples", "bench/policies"])("accepts the compiler's output for %s", async (dir) => {
    expect(() => checkBundleData(undefined as never)).toThrow();
    const data = await compiled(dir);
    expect(() => checkBundleData(data)).not.toThrow();
    expect(() => acceptsBytes(data)).not.toThrow();
  });

  it("accepts tools whose actions carry their own settings (action objects, MCP routes and methods)", () => {
    const agent = {
      mode: "enforce", rule_ids: { tool_not_allowed: "t/a/allowed_tools", call_chain_violation: "t/a/call_chain" }, budgets: [], call_chain: null,
      approvals: { channels: ["api"], expires_in_seconds: 3600, redeem: "identity" },
      tools: {
        docs: {
          actions: { read: { amount: null, sanitize: { headers: [], query: [], params: ["ssn"] }, rule_ids: { allowed: "t/a/allowed_tools/docs/actions" } } },
          rule_ids: { action_not_allowed: "t/a/allowed_tools/docs/actions" },
          mcp: { methods: ["initialize", "tools/list"], rule_id: "t/a/allowed_tools/docs/mcp" },
        },
      },
    };
    const tenant = { mode: "enforce", egress: { exact: {}, suffixes: [], exact_ports: {}, suffix_ports: [], rule_id: "t/egress_allowlist" }, agents: { a: agent }, catalog: [{ host: "mcp.t", method: "POST", path: "/mcp", tool: "docs", action: "", protocol: "mcp" }] };
    expect(() => checkBundleData({ aegis_meta: { format: 1 }, tenants: { t: tenant } })).not.toThrow();
  });

  it("refuses a catalog that is not a list, naming where", async () => {
    const data = (await compiled("policies/examples")) as { tenants: Record<string, Record<string, unknown>> };
    for (const tenant of Object.values(data.tenants)) tenant.catalog = "oops";
    expect(refusal(data)).toMatch(/\/tenants\/acme\/catalog: must be array/);
  });

  it.each([
    ["no aegis_meta", { tenants: {} }, /must have required property 'aegis_meta'/],
    ["another format", { aegis_meta: { format: 2 }, tenants: {} }, /\/aegis_meta\/format/],
    ["a tenant without agents", { aegis_meta: { format: 1 }, tenants: { t: { mode: "enforce", egress: { exact: {}, suffixes: [], rule_id: "t/e" }, catalog: [] } } }, /\/tenants\/t/],
    ["a sanitize list that is a string", { aegis_meta: { format: 1 }, tenants: { t: { mode: "enforce", egress: { exact: {}, suffixes: [], rule_id: "t/e" }, catalog: [], agents: { a: { mode: "enforce", rule_ids: { tool_not_allowed: "x", call_chain_violation: "y" }, tools: { d: { actions: { r: true }, amount: null, sanitize: { headers: [], query: [], params: "ssn" }, rule_ids: { action_not_allowed: "z" } } }, budgets: [], call_chain: null, approvals: { channels: ["api"], expires_in_seconds: 60 } } } } } }, /\/tenants\/t\/agents\/a\/tools\/d\/sanitize/],
    ["budgets that are not a list", { aegis_meta: { format: 1 }, tenants: { t: { mode: "enforce", egress: { exact: {}, suffixes: [], rule_id: "t/e" }, catalog: [], agents: { a: { mode: "enforce", rule_ids: { tool_not_allowed: "x", call_chain_violation: "y" }, tools: {}, budgets: {}, call_chain: null, approvals: { channels: ["api"], expires_in_seconds: 60 } } } } } }, /\/tenants\/t\/agents\/a\/budgets/],
  ])("refuses %s", (_name, data, message) => {
    expect(refusal(data)).toMatch(message);
  });

  it("checks a tenant named __proto__ like any other (the pieces are joined without assigning it as the prototype)", () => {
    const data = JSON.parse('{"aegis_meta": {"format": 1}, "tenants": {"__proto__": {"mode": "enforce", "egress": {"exact": {}, "suffixes": [], "rule_id": "t/e"}, "catalog": "oops", "agents": {}}}}') as unknown;
    expect(refusal(data)).toMatch(/\/tenants\/__proto__\/catalog: must be array/);
  });
});
