import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { aegis } from "../support/cli.ts";
import { REPO_ROOT } from "../support/opa.ts";

let dir: string;
let bundle: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "aegis-cli-"));
  bundle = join(dir, "examples.tar.gz");
  const built = aegis(["build", "policies/examples", "-o", bundle]);
  expect(built.code, built.stderr).toBe(0);
});

describe("aegis test", () => {
  it("passes every shipped decision case for the example policies", () => {
    const r = aegis(["test", "policies/examples"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/aegis test: \d+ passed, 0 failed/);
  });

  it("runs against a given bundle too", () => {
    const r = aegis(["test", "policies/examples", "--bundle", bundle]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it("fails, naming the case and the difference, when a decision does not match", () => {
    const copy = join(dir, "broken");
    cpSync(join(REPO_ROOT, "policies", "examples"), copy, { recursive: true });
    const file = join(copy, "tests", "finance-agent", "finance-agent_test.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("expect: { outcome: allow, reason: within_limit, rule_id:", "expect: { outcome: deny, reason: within_limit, rule_id:"));
    const r = aegis(["test", copy]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("FAIL");
    expect(r.stdout).toContain('a payment under the threshold is allowed');
    expect(r.stdout).toContain('outcome: expected "deny", got "allow"');
  });

  it("reports a malformed case file instead of running it", () => {
    const copy = join(dir, "malformed");
    cpSync(join(REPO_ROOT, "policies", "examples"), copy, { recursive: true });
    writeFileSync(join(copy, "tests", "bad_test.yaml"), "apiVersion: aegis/v1\nkind: DecisionTests\ncases:\n  - name: x\n    input: {}\n    expect: { outcom: allow }\n");
    const r = aegis(["test", copy]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/bad_test\.yaml: \/cases\/0\/expect: must NOT have additional properties/);
  });
});

describe("aegis eval", () => {
  it("prints the decision JSON with the bundle revision as policy_version", () => {
    const input = join(dir, "input.json");
    writeFileSync(input, JSON.stringify({ tenant: "acme", agent: "finance-agent", tool: "stripe-payments", action: "create_payment", host: "api.stripe.com", params: { amount: 7000 } }));
    const r = aegis(["eval", "--bundle", bundle, "--input", input]);
    expect(r.code, r.stderr).toBe(0);
    const decision = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(decision).toMatchObject({ outcome: "approval_needed", reason: "approval_needed", approval: { amount: 7000, threshold: 5000, hard_limit: 50000 } });
    expect(decision.policy_version).toMatch(/^[0-9a-f]{16}$/);
    expect(typeof decision.decision_id).toBe("string");
  });

  it("reads the input from stdin with -", () => {
    const r = aegis(["eval", "--bundle", bundle, "--input", "-"], { input: JSON.stringify({ tenant: "acme", agent: "nobody" }) });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: "deny", reason: "unknown_agent" });
  });

  it("answers a clear error, not a stack trace, for a missing bundle", () => {
    const r = aegis(["eval", "--bundle", join(dir, "nope.tar.gz"), "--input", "-"], { input: "{}" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^aegis: AEGIS_ERR_BUNDLE_READ: cannot read bundle/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
