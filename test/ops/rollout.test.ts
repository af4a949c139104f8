// The rollout loop on real processes: a policy runs in shadow mode under `aegis serve`, the
// shadow report (text, and HTML read in Chromium) suggests a threshold that halves approvals,
// and `aegis replay` shows a candidate bundle with that threshold deciding exactly those calls
// differently — by rule — before it ships.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReplayResult } from "../../src/ops/replay.ts";
import type { ShadowReport } from "../../src/ops/shadow-report.ts";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { aegis } from "../support/cli.ts";
import { connectCheckClient } from "../support/grpc-check-client.ts";
import { buildBundle, payment, serve, workDir, writeConfig } from "../runtime/runtime-harness.ts";
import { launchBrowser, screenshot } from "../browser/browser.ts";

const AMOUNTS = [100, 800, 2500, 4000, 5100, 5300, 5600, 6000, 6400, 7000, 7500, 8000, 9000, 12000, 60000];
const APPROVALS = AMOUNTS.filter((a) => a > 5000 && a <= 50000);

function policyEdit(edit: (text: string) => string) {
  return (policies: string) => {
    const file = join(policies, "finance-agent", "policy.yaml");
    writeFileSync(file, edit(readFileSync(file, "utf8")));
  };
}

describe("shadow mode → report → tuned threshold → replay", () => {
  const work = workDir("rollout");
  const log = join(work, "decisions.jsonl");
  let server: RunningAegisProcess | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const bundle = buildBundle(work, "shadow", policyEdit((t) => t.replace("mode: enforce", "mode: shadow").replace("limit: 20000", "limit: 10000000")));
    const config = writeConfig(work, "aegis", { decision_log: { path: log, include_allows: true } });
    server = await serve({ bundle, state: `sqlite:${join(work, "state.db")}`, config });
    const client = connectCheckClient(server.grpcPort);
    try {
      for (const amount of AMOUNTS) {
        // Shadow mode: every call goes through; the log keeps what would have happened.
        expect((await client.check(payment(amount))).kind).toBe("ok");
      }
    } finally {
      client.close();
    }
    await server.stop();
    server = undefined;
  });

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      await server?.stop();
    }
  });

  it("reports the would-be approvals and denials by rule, and the threshold that halves approvals", async () => {
    const html = join(work, "report.html");
    const text = aegis(["shadow", "report", "--log", log, "--since", "1h", "--html", html]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`${APPROVALS.length}\\s+approval_needed\\s+acme/finance-agent stripe-payments.create_payment.*${APPROVALS.length} let through in shadow mode`));
    expect(text.stdout).toMatch(/1\s+deny\s+acme\/finance-agent .*blocked_over_hard_limit/);
    const json = aegis(["shadow", "report", "--log", log, "--json"]);
    const report = JSON.parse(json.stdout) as ShadowReport;
    const suggestion = report.suggestions[0]!;
    expect(suggestion).toMatchObject({ approvals: APPROVALS.length, current_threshold: 5000 });
    expect(suggestion.approvals_after * 2).toBeLessThanOrEqual(APPROVALS.length);
    expect(APPROVALS.filter((a) => a > suggestion.suggested_threshold)).toHaveLength(suggestion.approvals_after);
    expect(text.stdout).toContain(`approval_threshold 5000 → ${suggestion.suggested_threshold} would have cut approvals from ${APPROVALS.length} to ${suggestion.approvals_after}`);

    // The HTML report in a real browser: self-contained, its charts render.
    expect(existsSync(html)).toBe(true);
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const external: string[] = [];
    page.on("request", (r) => { if (!r.url().startsWith("file:")) external.push(r.url()); });
    await page.goto(pathToFileURL(html).href);
    await page.getByRole("heading", { name: "Threshold suggestions" }).waitFor();
    expect(await page.locator("svg.chart").count()).toBeGreaterThan(1);
    expect(await page.getByRole("img", { name: /amount distribution/ }).first().isVisible()).toBe(true);
    expect(external).toEqual([]);
    await screenshot(page, "shadow-report");
  });

  it("replays the log against a candidate with the suggested threshold: only the halved approvals diverge, by rule", () => {
    const report = JSON.parse(aegis(["shadow", "report", "--log", log, "--json"]).stdout) as ShadowReport;
    const t = report.suggestions[0]!.suggested_threshold;
    const candidate = buildBundle(work, "candidate", policyEdit((text) => text
      .replace("max_amount: 5000", `max_amount: ${t}`).replace("approval_threshold: 5000", `approval_threshold: ${t}\n      hard_limit: 50000`)
      .replace("limit: 20000", "limit: 10000000").replace("mode: enforce", "mode: shadow")));
    const run = aegis(["replay", "--log", log, "--bundle", candidate, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as ReplayResult;
    expect(result.replayed).toBe(AMOUNTS.length);
    const cut = APPROVALS.filter((a) => a <= t).length;
    expect(result.divergences).toHaveLength(1);
    expect(result.divergences[0]).toMatchObject({
      from: { outcome: "approval_needed", rule_id: "acme/finance-agent/allowed_tools/stripe-payments/conditions/approval_threshold" },
      to: { outcome: "allow", reason: "within_limit" }, calls: cut,
    });
    expect(result.same).toBe(AMOUNTS.length - cut);
    expect(result.missing_fields).toEqual({});

    const text = aegis(["replay", "--log", log, "--bundle", candidate, "--fail-on-divergence"]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`${AMOUNTS.length - cut} decided the same, ${cut} differently`);
    expect(text.stdout).toMatch(/approval_needed \(acme\/finance-agent\/allowed_tools\/stripe-payments\/conditions\/approval_threshold, approval_needed\) → allow/);
  });

  it("says which masked fields could not be replayed, and refuses a missing log", () => {
    const masked = join(work, "masked.jsonl");
    const lines = readFileSync(log, "utf8").split("\n").filter((l) => l.includes('"type":"decision"')).slice(0, 2)
      .map((l) => l.replace('"currency":"eur"', '"currency":"[REDACTED]"'));
    writeFileSync(masked, `${lines.join("\n")}\n{"type":"decision","time":"2026-01-01T00:00:00Z","decision":"deny","rule_id":"aegis/invalid_request","reason":"invalid_request","tenant":null}\n`);
    const bundle = join(work, "shadow.tar.gz");
    const run = aegis(["replay", "--log", masked, "--bundle", bundle]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('parameter "currency" was masked in 2 logged calls');
    expect(run.stdout).toContain("1 logged calls had no input (invalid requests) and were not replayed");
    const missing = aegis(["replay", "--log", join(work, "nope.jsonl"), "--bundle", bundle]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("does not exist");
    expect(aegis(["shadow", "report"]).code).toBe(2);
  });
});
