// Custom Rego modules through the CLI: what aegis validate / build / test refuse, and what they
// ship. Each case is a small policy directory with one module.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readBundle } from "../../src/bundle/read.ts";
import { aegis } from "../support/cli.ts";
import { readFileSync } from "node:fs";

const root = mkdtempSync(join(tmpdir(), "aegis-custom-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const POLICY = `apiVersion: aegis/v1
kind: Tenant
tenant: acme
egress_allowlist: [shop.example]
---
apiVersion: aegis/v1
kind: AgentPolicy
tenant: acme
agent: bot
allowed_tools:
  - { name: shop, actions: [order] }
`;

let count = 0;
function policyDir(files: Record<string, string>): string {
  const dir = join(root, `case-${count++}`);
  mkdirSync(join(dir, "custom"), { recursive: true });
  writeFileSync(join(dir, "policy.yaml"), POLICY);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const refused: [string, string, RegExp][] = [
  ["a module in another package", "package acme.rules\n\ndeny contains {\"reason\": \"x\"} if input.tool == \"shop\"\n", /custom\/m\.rego:1:1: : `package acme\.rules` is not a custom package/],
  ["a module in the library's package", "package aegis.outcome\n\nx := 1\n", /is not a custom package/],
  ["an unknown tenant", "package aegis.custom.globex\n\ndeny contains {\"reason\": \"x\"} if input.tool == \"shop\"\n", /names tenant `globex`, which no Tenant document declares/],
  ["an unknown agent", "package aegis.custom.acme[\"nobot\"]\n\ndeny contains {\"reason\": \"x\"} if input.tool == \"shop\"\n", /names agent `nobot`, which has no AgentPolicy/],
  ["an input field outside the contract", "package aegis.custom.acme\n\ndeny contains {\"reason\": \"x\"} if input.headers.authorization\n", /custom\/m\.rego:3:\d+: : reads `input\.headers`, which is not a field of the policy input/],
  ["the whole input", "package aegis.custom.acme\n\ndeny contains {\"reason\": \"x\"} if {\n\tsome k, _ in input\n\tk == \"secret\"\n}\n", /custom\/m\.rego:4:\d+: : reads the whole `input`/],
  ["an input field chosen at run time", "package aegis.custom.acme\n\nf := \"tool\"\n\ndeny contains {\"reason\": \"x\"} if input[f] == \"shop\"\n", /reads an `input` field chosen at run time/],
  ["data.tenants, which the engine only sees sliced to the caller", "package aegis.custom.acme\n\ndeny contains {\"reason\": \"x\"} if data.tenants.acme.agents.other.mode == \"shadow\"\n", /custom\/m\.rego:3:\d+: : reads `data\.tenants`/],
  ["an import of data.tenants", "package aegis.custom.acme\n\nimport data.tenants\n\ndeny contains {\"reason\": \"x\"} if tenants.acme.mode == \"shadow\"\n", /custom\/m\.rego:3:\d+: : reads `data\.tenants`/],
  ["other agents through tenant_config", "package aegis.custom.acme\n\nimport data.aegis.identity\n\ndeny contains {\"reason\": \"x\"} if identity.tenant_config.agents.other.mode == \"shadow\"\n", /custom\/m\.rego:5:\d+: : reads `tenant_config\.agents`/],
  ["tenant_config whole", "package aegis.custom.acme\n\ndeny contains {\"reason\": \"x\"} if {\n\tt := data.aegis.identity.tenant_config\n\tt.mode == \"shadow\"\n}\n", /custom\/m\.rego:4:\d+: : reads `data\.aegis\.identity\.tenant_config` whole/],
  ["data.tenants through an alias of data", "package aegis.custom.acme\n\nimport data as d\n\ndeny contains {\"reason\": \"x\"} if d.tenants.acme.agents.other.mode == \"shadow\"\n", /custom\/m\.rego:5:\d+: : reads `data\.tenants`/],
  ["another agent's config by renaming the caller with `with`", "package aegis.custom.acme\n\ndeny contains {\"reason\": \"x\"} if {\n\tdata.aegis.identity.agent_config.mode == \"shadow\" with input.agent as \"other\"\n}\n", /custom\/m\.rego:4:\d+: : replaces `input\.agent` with `with`/],
  ["deny as a complete rule", "package aegis.custom.acme\n\ndeny := {\"reason\": \"x\"} if input.tool == \"shop\"\n", /custom\/m\.rego:3:1: : `deny` must be a partial set/],
  ["what opa check --strict refuses", "package aegis.custom.acme\n\ndeny contains {\"reason\": \"x\"} if {\n\tunused := 1\n\tinput.tool == \"shop\"\n}\n", /custom\/m\.rego:4:\d+: : opa check --strict: .*unused/],
  ["a syntax error", "package aegis.custom.acme\n\ndeny contains {\"reason\": if\n", /custom\/m\.rego:\d+:\d+: : opa check --strict: /],
];

describe("aegis validate and build refuse a custom module that", () => {
  for (const [name, rego, message] of refused) {
    it(`is ${name}`, () => {
      const dir = policyDir({ "custom/m.rego": rego });
      const validated = aegis(["validate", dir]);
      expect(validated.code, validated.stdout + validated.stderr).toBe(1);
      expect(validated.stdout.replaceAll(`${dir}/`, "")).toMatch(message);
      const built = aegis(["build", dir, "-o", join(dir, "b.tar.gz")]);
      expect(built.code).toBe(1);
      expect(built.stderr).toContain("no bundle written");
    });
  }

  it("calls a builtin the WASM runtime does not implement natively, naming it and where", () => {
    const dir = policyDir({ "custom/m.rego": "package aegis.custom.acme\n\ndeny contains {\"reason\": \"late\"} if {\n\tinput.tool == \"shop\"\n\ttime.now_ns() > 0\n}\n" });
    const built = aegis(["build", dir, "-o", join(dir, "b.tar.gz")]);
    expect(built.code).toBe(1);
    expect(built.stderr).toMatch(/AEGIS_ERR_POLICY_INVALID: the Rego calls `time\.now_ns` \(called at custom\/m\.rego:5\), which OPA's WASM runtime does not implement natively/);
  });
});

describe("a custom module that passes", () => {
  const rego = [
    "package aegis.custom.acme[\"bot\"]",
    "",
    "# Orders of more than 3 items are refused.",
    "deny contains {\"reason\": \"too_many\", \"message\": \"at most 3\"} if {",
    "\tinput.tool == \"shop\"",
    "\tcount(input.params.items) > 3",
    "}",
    "",
    "redact contains {\"params\": [\"note\"]} if input.params.note",
    "",
  ].join("\n");

  it("may read the caller's own tenant and agent config through data.aegis.identity", () => {
    const own = "package aegis.custom.acme\n\nimport data.aegis.identity\n\ndeny contains {\"reason\": \"x\"} if {\n\tidentity.tenant_config.mode == \"shadow\"\n\tdata.aegis.identity.agent_config.mode == \"enforce\"\n}\n";
    const validated = aegis(["validate", policyDir({ "custom/m.rego": own })]);
    expect(validated.code, validated.stdout + validated.stderr).toBe(0);
  });

  it("is shipped with a rule id of its file and the row the author wrote on each entry", async () => {
    const dir = policyDir({ "custom/m.rego": rego });
    const out = join(dir, "b.tar.gz");
    const built = aegis(["build", dir, "-o", out]);
    expect(built.code, built.stderr).toBe(0);
    const contents = await readBundle(readFileSync(out));
    const shipped = new TextDecoder().decode(contents.files.get("custom/custom/m.rego"));
    // opa build stores modules formatted (comments dropped); the ids keep the author's rows.
    expect(shipped).toContain('deny contains object.union({"reason": "too_many", "message": "at most 3"}, {"rule_id": "custom/m.rego:4"}) if {');
    expect(shipped).toContain('redact contains object.union({"params": ["note"]}, {"rule_id": "custom/m.rego:9"}) if input.params.note');
    // The names its redact rules write are masked in logs whatever the outcome.
    const data = JSON.parse(Buffer.from(contents.dataJson).toString("utf8")) as { tenants: Record<string, { agents: Record<string, { custom_redactions: string[] }> }> };
    expect(data.tenants.acme?.agents.bot?.custom_redactions).toEqual(["note"]);
    const { createPolicyContext } = await import("../../src/authz/policy-context.ts");
    expect([...(createPolicyContext("r", contents).agent("acme", "bot")?.sanitizedParams ?? [])]).toContain("note");
  });

  it("decides through aegis eval with its own reason and rule id", () => {
    const dir = policyDir({ "custom/m.rego": rego });
    const out = join(dir, "b.tar.gz");
    expect(aegis(["build", dir, "-o", out]).code).toBe(0);
    const input = JSON.stringify({ tenant: "acme", agent: "bot", tool: "shop", action: "order", host: "shop.example", params: { items: [1, 2, 3, 4] } });
    const r = aegis(["eval", "--bundle", out, "--input", "-"], { input });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.slice(r.stdout.indexOf("{")))).toMatchObject({ outcome: "deny", reason: "custom:too_many", rule_id: "custom/m.rego:4" });
  });

  it("has its *_test.rego run by aegis test with the real opa test, a failure failing the run", () => {
    const passing = "package bot_test\n\nimport data.aegis.custom.acme.bot\n\ntest_four_items_are_too_many if {\n\tcount(bot.deny) == 1 with input as {\"tool\": \"shop\", \"params\": {\"items\": [1, 2, 3, 4]}}\n}\n";
    const cases = "apiVersion: aegis/v1\nkind: DecisionTests\ncases:\n  - name: four items\n    input: { tenant: acme, agent: bot, tool: shop, action: order, host: shop.example, params: { items: [1, 2, 3, 4] } }\n    expect: { outcome: deny, reason: \"custom:too_many\", rule_id: \"custom/m.rego:4\" }\n";
    const dir = policyDir({ "custom/m.rego": rego, "custom/m_test.rego": passing, "cases_test.yaml": cases });
    const ok = aegis(["test", dir]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain("opa test (custom Rego): passed");
    expect(ok.stdout).toMatch(/aegis test: 1 passed, 0 failed/);
    writeFileSync(join(dir, "custom", "m_test.rego"), passing.replace("== 1", "== 2"));
    const failed = aegis(["test", dir]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain("opa test (custom Rego): FAILED");
    expect(failed.stdout).toContain("test_four_items_are_too_many: FAIL");
  });
});
