import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { golden } from "../../test/support/golden.ts";
import { compilePolicies, policyDataJson, type PolicyData } from "./index.ts";

const repoPath = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));
const examplesDir = repoPath("../../policies/examples");
const validDir = repoPath("./testdata/valid");

async function compiled(path: string): Promise<PolicyData> {
  const result = await compilePolicies(path);
  if (!result.ok) throw new Error(`expected ${path} to compile, got:\n${JSON.stringify(result.problems, null, 2)}`);
  return result.data;
}

describe("compiling policies/examples", () => {
  it("produces the golden data.json", async () => {
    const json = policyDataJson(await compiled(examplesDir));
    expect(json).toBe(golden(repoPath("./testdata/golden/examples.data.json"), json));
  });

  it("gives byte-identical output when compiled twice", async () => {
    const [first, second] = [policyDataJson(await compiled(examplesDir)), policyDataJson(await compiled(examplesDir))];
    expect(second).toBe(first);
  });

  it("reports the policy files it read, test cases excluded", async () => {
    const result = await compilePolicies(validDir);
    expect(result.ok && result.files.map((f) => f.slice(validDir.length + 1))).toEqual([
      "default-tenant.yaml",
      "empty.yaml",
      "globex.yaml",
    ]);
  });
});

describe("defaults and derived values", () => {
  it("derives threshold, hard limit and rule ids from whichever amount conditions are set", async () => {
    const tools = (await compiled(validDir)).tenants.globex?.agents.billing?.tools;
    const base = "globex/billing/allowed_tools";
    // max_amount alone: T = max_amount, H = 10 × max_amount (rounded back to the decimal written).
    expect(tools?.payments?.actions.charge?.amount).toEqual({ param: "amount", threshold: 1.1, hard_limit: 11 });
    expect(tools?.payments?.actions.charge?.rule_ids.within_limit).toBe(`${base}/payments/conditions/max_amount`);
    expect(tools?.payments?.actions.refund?.rule_ids.approval_needed).toBe(`${base}/payments/conditions/max_amount`);
    // approval_threshold alone: T = approval_threshold, H = 10 × approval_threshold.
    expect(tools?.invoices?.actions.send_invoice?.amount).toEqual({ param: "amount", threshold: 200, hard_limit: 2000 });
    expect(tools?.invoices?.actions.send_invoice?.rule_ids.within_limit).toBe(`${base}/invoices/conditions/approval_threshold`);
    // Both: T = min(approval_threshold, max_amount), H = 10 × max_amount.
    expect(tools?.payouts?.actions.payout?.amount).toEqual({ param: "amount", threshold: 100, hard_limit: 3000 });
    // Explicit hard_limit and amount_param win.
    expect(tools?.transfers?.actions.transfer?.amount).toEqual({ param: "value", threshold: 1000, hard_limit: 1000 });
    expect(tools?.transfers?.rule_ids).toEqual({ action_not_allowed: `${base}/transfers/actions` });
    expect(tools?.transfers?.actions.transfer?.rule_ids).toEqual({
      allowed: `${base}/transfers/actions`,
      within_limit: `${base}/transfers/conditions/approval_threshold`,
      approval_needed: `${base}/transfers/conditions/approval_threshold`,
      blocked_over_hard_limit: `${base}/transfers/conditions/hard_limit`,
      invalid_amount: `${base}/transfers/conditions/amount_param`,
      sanitize: `${base}/transfers/sanitize`,
    });
  });

  it("gives each action the entry's settings unless its action object sets its own, with rule ids naming the YAML that decides", async () => {
    const mcp = (await compiled(validDir)).tenants.globex?.agents.billing?.tools["docs-mcp"];
    const base = "globex/billing/allowed_tools/docs-mcp";
    const entrySanitize = { headers: [], query: [], params: ["ssn"] };
    expect(mcp).toEqual({
      rule_ids: { action_not_allowed: `${base}/actions` },
      actions: {
        read_document: {
          amount: { param: "amount", threshold: 50, hard_limit: 500 },
          sanitize: entrySanitize,
          params: null,
          schedule: null,
          rule_ids: {
            allowed: `${base}/actions`,
            within_limit: `${base}/conditions/max_amount`,
            approval_needed: `${base}/conditions/max_amount`,
            blocked_over_hard_limit: `${base}/conditions/hard_limit`,
            invalid_amount: `${base}/conditions/amount_param`,
            sanitize: `${base}/sanitize`,
          },
        },
        // Own conditions replace the entry's wholesale (hard_limit is 10 × its own max_amount).
        create_payment: {
          amount: { param: "amount", threshold: 200, hard_limit: 5000 },
          sanitize: entrySanitize,
          params: null,
          schedule: null,
          rule_ids: {
            allowed: `${base}/actions/create_payment`,
            within_limit: `${base}/actions/create_payment/conditions/approval_threshold`,
            approval_needed: `${base}/actions/create_payment/conditions/approval_threshold`,
            blocked_over_hard_limit: `${base}/actions/create_payment/conditions/hard_limit`,
            invalid_amount: `${base}/actions/create_payment/conditions/amount_param`,
            sanitize: `${base}/sanitize`,
          },
        },
        // Own sanitize replaces the entry's; the entry's conditions still apply.
        delete_document: {
          amount: { param: "amount", threshold: 50, hard_limit: 500 },
          sanitize: { headers: [], query: [], params: ["reason"] },
          params: null,
          schedule: null,
          rule_ids: {
            allowed: `${base}/actions/delete_document`,
            within_limit: `${base}/conditions/max_amount`,
            approval_needed: `${base}/conditions/max_amount`,
            blocked_over_hard_limit: `${base}/conditions/hard_limit`,
            invalid_amount: `${base}/conditions/amount_param`,
            sanitize: `${base}/actions/delete_document/sanitize`,
          },
        },
      },
    });
  });

  it("merges parameter rules by path, action object over entry, each with the rule id of the YAML that wrote it", async () => {
    const agent = (await compiled(examplesDir)).tenants.acme?.agents["research-agent"];
    const base = "acme/research-agent/allowed_tools/docs-mcp";
    const read = agent?.tools["docs-mcp"]?.actions.read_document?.params;
    expect(read?.rules.map((r) => [r.path, r.rule_id])).toEqual([
      ["format", `${base}/params/format`],
      ["labels[]", `${base}/params/labels[]`],
      ["path", `${base}/actions/read_document/params/path`],
      ["query", `${base}/params/query`],
    ]);
    expect(read?.rules.find((r) => r.path === "labels[]")).toMatchObject({ steps: ["labels", "[]"], pattern: "^(?:[a-z][a-z0-9-]{0,31})$" });
    expect(read?.rules.find((r) => r.path === "path")).toMatchObject({ required: true, glob: ["^/docs(?:/[^/]+)*$"], enum: null, hosts: null });
    expect(read).toMatchObject({ additional: "allow", additional_rule_id: `${base}/additional_params` });
    const fetch = agent?.tools["web-fetch"]?.actions.fetch_page?.params;
    expect(fetch?.additional).toBe("deny");
    expect(fetch?.named).toEqual({ debug: true, max_bytes: true, url: true });
    expect(fetch?.rules.find((r) => r.path === "url")?.hosts).toEqual({ exact: {}, suffixes: [".wikipedia.org"] });
    // The amount rule's parameter counts as named for additional_params.
    expect(agent?.schedule_zones).toEqual(["Europe/Berlin"]);
    expect(agent?.tools["docs-mcp"]?.actions.export_documents?.schedule).toEqual({
      timezone: "Europe/Berlin",
      days: ["mon", "tue", "wed", "thu", "fri"],
      minutes: [[480, 720], [780, 1080]],
    });
    expect(agent?.tools["docs-mcp"]?.actions.export_documents?.rule_ids.outside_schedule).toBe(`${base}/actions/export_documents/schedule`);
    expect(agent?.tools["docs-mcp"]?.actions.search_documents?.schedule).toBeNull();
  });

  it("names the amount parameter for additional_params: deny", async () => {
    const dir = await mkdtemp(join(tmpdir(), "aegis-policy-"));
    try {
      const file = join(dir, "p.yaml");
      await writeFile(file, [
        "apiVersion: aegis/v1\nkind: Tenant\ntenant: t\negress_allowlist: []\n---",
        "apiVersion: aegis/v1\nkind: AgentPolicy\ntenant: t\nagent: a\nallowed_tools:",
        "  - { name: pay, actions: [go], conditions: { max_amount: 5, amount_param: total }, additional_params: deny }\n",
      ].join("\n"));
      const params = (await compiled(file)).tenants.t?.agents.a?.tools.pay?.actions.go?.params;
      expect(params).toEqual({ rules: [], additional: "deny", named: { total: true }, additional_rule_id: "t/a/allowed_tools/pay/additional_params" });
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it("writes null amount and sanitize, and no rule ids for them, when a tool has neither", async () => {
    const calendar = (await compiled(examplesDir)).tenants.acme?.agents.planner?.tools.calendar;
    expect(calendar).toEqual({
      actions: {
        list_events: { amount: null, sanitize: null, params: null, schedule: null, rule_ids: { allowed: "acme/planner/allowed_tools/calendar/actions" } },
      },
      rule_ids: { action_not_allowed: "acme/planner/allowed_tools/calendar/actions" },
    });
  });

  it("lower-cases headers and fills the sanitize lists that were left out", async () => {
    const transfers = (await compiled(validDir)).tenants.globex?.agents.billing?.tools.transfers;
    expect(transfers?.actions.transfer?.sanitize).toEqual({ headers: ["authorization", "x-api-key"], query: [], params: [] });
  });

  it("makes budgets, call chain, approvals and modes explicit", async () => {
    const data = await compiled(validDir);
    const billing = data.tenants.globex?.agents.billing;
    expect(billing?.budgets).toEqual([
      { name: "calls-per-minute", tool: null, sum_param: null, limit: 60, window_seconds: 60, rule_id: "globex/billing/budgets/calls-per-minute" },
      { name: "weekly-payouts", tool: "payouts", sum_param: "amount", limit: 1000.5, window_seconds: 604800, rule_id: "globex/billing/budgets/weekly-payouts" },
    ]);
    expect(billing?.call_chain).toEqual({ allowed_parents: ["orchestrator", "planner"], max_depth: 1 });
    expect(billing?.approvals).toEqual({ channels: ["webhook", "teams"], expires_in_seconds: 900 });
    expect(billing?.mode).toBe("shadow");
    expect(data.tenants.globex?.mode).toBe("shadow");
    const plain = data.tenants.default?.agents.billing;
    expect(plain).toMatchObject({ mode: "enforce", budgets: [], call_chain: null, approvals: { channels: ["api"], expires_in_seconds: 3600 } });
    expect(data.tenants.default?.mode).toBe("enforce");
  });

  it("puts an agent without a tenant field under tenant default, apart from a same-named agent elsewhere", async () => {
    const data = await compiled(validDir);
    expect(Object.keys(data.tenants)).toEqual(["default", "globex"]);
    expect(data.tenants.default?.agents.billing?.rule_ids.tool_not_allowed).toBe("default/billing/allowed_tools");
  });

  it("splits the egress allowlist into lower-cased exact hosts and dotted suffixes", async () => {
    expect((await compiled(validDir)).tenants.globex?.egress).toEqual({
      exact: { "api.example.com": true, "docs.internal.example": true },
      suffixes: [".internal.example"],
      exact_ports: {},
      suffix_ports: [],
      rule_id: "globex/egress_allowlist",
    });
  });

  it("keeps host:port entries apart from the port-less ones, which admit default ports only", async () => {
    const dir = await mkdtemp(join(tmpdir(), "aegis-policy-"));
    try {
      const file = join(dir, "t.yaml");
      const allowlist = "[API.Stripe.com, 'api.stripe.com:8443', 'api.stripe.com:0443', pay.example:8443, '*.docs.example:9443', '*.docs.example:8443', '*.docs.example']";
      await writeFile(file, `apiVersion: aegis/v1\nkind: Tenant\ntenant: t\negress_allowlist: ${allowlist}\n`);
      expect((await compiled(file)).tenants.t?.egress).toEqual({
        exact: { "api.stripe.com": true },
        suffixes: [".docs.example"],
        exact_ports: { "api.stripe.com": [443, 8443], "pay.example": [8443] },
        suffix_ports: [{ suffix: ".docs.example", port: 8443 }, { suffix: ".docs.example", port: 9443 }],
        rule_id: "t/egress_allowlist",
      });
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it("flattens the tools catalog in file order with normalised host and method", async () => {
    expect((await compiled(validDir)).tenants.globex?.catalog).toEqual([
      { host: "api.example.com", method: "POST", path: "/v1/charges", tool: "payments", action: "charge" },
      { host: "api.example.com", method: "*", path: "/v1/charges/*/refund", tool: "payments", action: "refund" },
      { host: "*.internal.example", method: "GET", path: "/healthz/", tool: "status", action: "read_status" },
      { host: "*", method: "GET", path: "/**", tool: "status", action: "read_any" },
    ]);
  });
});

describe("determinism", () => {
  it("does not depend on key order or list order where order has no meaning", async () => {
    const dir = await mkdtemp(join(tmpdir(), "aegis-policy-"));
    try {
      const texts = [
        "kind: Tenant\napiVersion: aegis/v1\ntenant: t\negress_allowlist: ['*.b.example', a.example, '*.a.example']\n",
        "apiVersion: aegis/v1\nkind: Tenant\ntenant: t\negress_allowlist: ['*.a.example', '*.b.example', a.example]\n",
      ];
      const outputs: string[] = [];
      for (const [i, text] of texts.entries()) {
        const file = join(dir, `t${i}.yaml`);
        await writeFile(file, text);
        outputs.push(policyDataJson(await compiled(file)));
      }
      expect(outputs[1]).toBe(outputs[0]);
      expect(JSON.parse(outputs[0] ?? "").tenants.t.egress.suffixes).toEqual([".a.example", ".b.example"]);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it("writes object keys in sorted order at every level", async () => {
    const json = policyDataJson(await compiled(examplesDir));
    const check = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(check);
      else if (typeof value === "object" && value !== null) {
        const keys = Object.keys(value);
        expect(keys).toEqual([...keys].sort());
        Object.values(value).forEach(check);
      }
    };
    check(JSON.parse(json));
    expect(await readFile(repoPath("./testdata/golden/examples.data.json"), "utf8")).toBe(json);
  });
});
