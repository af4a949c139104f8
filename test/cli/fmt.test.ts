// aegis fmt: schema key order and plain quoting, comments kept, idempotent, and the result
// still validates to the same compiled data.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compilePolicies, policyDataJson } from "../../src/policy/index.ts";
import { formatPolicyYaml } from "../../src/policy/format-yaml.ts";
import { aegis } from "../support/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "aegis-fmt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MESSY = `# The shop bot.
allowed_tools:
  # Orders and refunds.
  - actions: ["order", { sanitize: { params: ["note"] }, name: "refund" }]
    conditions: { approval_threshold: 50, "max_amount": 100 }
    name: 'shop'   # the one tool
    params:
      zeta: { max_length: 5 }
      alpha: { required: true, enum: ["a", "1", "true", "*x"] }
agent: "bot"
kind: AgentPolicy
apiVersion: aegis/v1
tenant: acme
---
egress_allowlist: ["shop.example"]
apiVersion: aegis/v1
kind: Tenant
tenant: acme
`;

const TIDY = `apiVersion: aegis/v1
kind: AgentPolicy
tenant: acme
agent: bot
# The shop bot.
allowed_tools:
  # Orders and refunds.
  - name: shop # the one tool
    actions: [ order, { name: refund, sanitize: { params: [ note ] } } ]
    conditions: { max_amount: 100, approval_threshold: 50 }
    params:
      zeta: { max_length: 5 }
      alpha: { enum: [ a, "1", "true", "*x" ], required: true }
---
apiVersion: aegis/v1
kind: Tenant
tenant: acme
egress_allowlist: [ shop.example ]
`;

describe("aegis fmt", () => {
  it("orders keys as the schema does, unquotes what YAML reads back the same, keeps comments and the user's own key order", () => {
    const r = formatPolicyYaml(MESSY);
    expect(r.ok && r.text).toBe(TIDY);
    const again = formatPolicyYaml(TIDY);
    expect(again.ok && again.text).toBe(TIDY);
  });

  it("lists, checks and rewrites files, and the rewritten policy compiles to the same data", async () => {
    const file = join(dir, "policy.yaml");
    writeFileSync(file, MESSY);
    const before = await compilePolicies(file);
    const listed = aegis(["fmt", dir]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toBe(`${file}\n`);
    expect(aegis(["fmt", dir, "--check"]).code).toBe(1);
    expect(aegis(["fmt", dir, "-w"]).code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(TIDY);
    const check = aegis(["fmt", dir, "--check"]);
    expect(check.code).toBe(0);
    expect(check.stdout).toBe("");
    const after = await compilePolicies(file);
    expect(before.ok && after.ok && policyDataJson(after.data)).toBe(before.ok && policyDataJson(before.data));
  });

  it("leaves a file that does not parse alone, saying why", () => {
    const file = join(dir, "broken", "policy.yaml");
    rmSync(join(dir, "broken"), { recursive: true, force: true });
    mkdirSync(join(dir, "broken"));
    writeFileSync(file, "kind: AgentPolicy\nagent: [unclosed\n");
    const r = aegis(["fmt", join(dir, "broken"), "-w"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not formatted: /);
    expect(readFileSync(file, "utf8")).toBe("kind: AgentPolicy\nagent: [unclosed\n");
  });
});
