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
    // The actual outcome, reason and rule id beside the expected ones.
    expect(r.stdout).toMatch(/ {5} {13}expected {2,}actual\n/);
    expect(r.stdout).toMatch(/ {5}outcome {6}deny +allow {3}<--\n/);
    expect(r.stdout).toMatch(/ {5}reason {7}within_limit +within_limit\n/);
    expect(r.stdout).toMatch(/ {5}rule_id {6}acme\/finance-agent\/allowed_tools\/stripe-payments\/conditions\/approval_threshold +acme\/finance-agent\/allowed_tools\/stripe-payments\/conditions\/approval_threshold\n/);
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

  it("says it got a policy input", () => {
    const r = aegis(["eval", "--bundle", bundle, "--input", "-"], { input: JSON.stringify({ tenant: "acme", agent: "planner", tool: "calendar", action: "list_events", host: "calendar.acme.internal" }) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("aegis eval: input is a policy input\n");
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: "allow", rule_id: "acme/planner/allowed_tools/calendar/actions" });
  });

  // An MCP tools/call as Envoy forwards it, from the research agent's sidecar (SPIFFE identity).
  const mcpCall = (args: Record<string, unknown>, name = "fetch_page") => ({
    attributes: {
      source: { principal: "spiffe://cluster.local/ns/acme/sa/research-agent" },
      request: {
        http: {
          method: "POST", host: "fetch.acme.internal", path: "/mcp",
          headers: { "content-type": "application/json", ":authority": "fetch.acme.internal" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name, arguments: args } }),
        },
      },
      context_extensions: { tool: "web-fetch" },
    },
  });

  it("maps a CheckRequest with an MCP body as the server does, and says so", () => {
    const r = aegis(["eval", "--bundle", bundle, "--input", "-"], { input: JSON.stringify(mcpCall({ url: "https://en.wikipedia.org/wiki/Rego" })) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^aegis eval: input is a CheckRequest \(identity acme\/research-agent from spiffe; tool from the route's context_extensions; action `fetch_page` from the MCP tools\/call body\)\n$/);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: "allow", rule_id: "acme/research-agent/allowed_tools/web-fetch/actions" });
  });

  it("explains which rules fired: the denies in order, the parameter rule that broke, a custom rule's message", () => {
    const r = aegis(["eval", "--bundle", bundle, "--input", "-", "--explain"], { input: JSON.stringify(mcpCall({ url: "https://en.wikipedia.org@evil.example/", proxy: "x" })) });
    expect(r.code, r.stderr).toBe(0);
    const [json, text] = r.stdout.split("\nexplain:\n");
    expect(JSON.parse(json ?? "")).toMatchObject({ outcome: "deny", reason: "param_not_allowed", rule_id: "acme/research-agent/allowed_tools/web-fetch/additional_params" });
    expect(text).toContain("  denies, in precedence order (the first is reported):\n    param_not_allowed  acme/research-agent/allowed_tools/web-fetch/additional_params\n    param_not_allowed  acme/research-agent/allowed_tools/web-fetch/params/url\n");
    expect(text).toContain("  parameter rule broken: proxy (additional_params)  acme/research-agent/allowed_tools/web-fetch/additional_params\n");
    expect(text).toContain("  parameter rule broken: url (hosts)  acme/research-agent/allowed_tools/web-fetch/params/url\n");
    const shared = mcpCall({ recipient: "eve@evil.example" }, "share_document");
    shared.attributes.context_extensions.tool = "docs-mcp";
    shared.attributes.request.http.host = "wiki.docs.acme.internal";
    const custom = aegis(["eval", "--bundle", bundle, "--input", "-", "--explain"], { input: JSON.stringify(shared) });
    expect(custom.stdout).toContain("  custom rule: custom:recipient_domain  custom/domain-allowlist.rego:32: documents may be shared only with acme.com and acme.internal addresses\n");
  });

  it("explains a schedule with the clock it was given", () => {
    const input = { tenant: "acme", agent: "research-agent", tool: "docs-mcp", action: "export_documents", host: "wiki.docs.acme.internal" };
    const r = aegis(["eval", "--bundle", bundle, "--input", "-", "--now", "2026-12-05T10:00:00Z", "--explain"], { input: JSON.stringify(input) });
    expect(JSON.parse(r.stdout.split("\nexplain:\n")[0] ?? "")).toMatchObject({ reason: "outside_schedule" });
    expect(r.stdout).toContain("  schedule (Europe/Berlin): outside\n");
    const weekday = aegis(["eval", "--bundle", bundle, "--input", "-", "--now", "2026-12-07T10:00:00Z"], { input: JSON.stringify(input) });
    expect(JSON.parse(weekday.stdout)).toMatchObject({ outcome: "allow" });
  });

  it("refuses what is neither a CheckRequest nor a policy input, saying why", () => {
    for (const [input, message] of [
      [[1, 2], /the input must be a JSON object/],
      [{ tenant: "acme", headers: {} }, /neither a CheckRequest \(no `attributes`\) nor a policy input \(unknown field `headers`/],
      [{ attributes: { request: {} } }, /a CheckRequest needs attributes\.request\.http/],
    ] as const) {
      const r = aegis(["eval", "--bundle", bundle, "--input", "-"], { input: JSON.stringify(input) });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe("");
    }
  });

  it("answers a clear error, not a stack trace, for a missing bundle", () => {
    const r = aegis(["eval", "--bundle", join(dir, "nope.tar.gz"), "--input", "-"], { input: "{}" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^aegis: AEGIS_ERR_BUNDLE_READ: cannot read bundle/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
