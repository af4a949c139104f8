// The shadow report's arithmetic on hand-made log lines: counts per rule, percentiles and
// histograms, the half-the-approvals threshold, --since, and lines it must skip.
import { describe, expect, it } from "vitest";
import { parseDecisionLines, parseSince } from "../../src/ops/decision-records.ts";
import { buildShadowReport, suggestThreshold } from "../../src/ops/shadow-report.ts";
import { shadowReportHtml, shadowReportText } from "../../src/ops/shadow-report-render.ts";
import { histogram, percentile } from "../../src/ops/stats.ts";

const T0 = Date.parse("2026-11-20T00:00:00Z");

function line(i: number, amount: number, decision: string, extra: Record<string, unknown> = {}): string {
  const rule = decision === "approval_needed" ? "acme/finance-agent/allowed_tools/stripe-payments/conditions/approval_threshold" : decision === "deny" ? "acme/finance-agent/allowed_tools/stripe-payments/conditions/hard_limit" : "acme/finance-agent/allowed_tools/stripe-payments";
  return JSON.stringify({
    type: "decision", time: new Date(T0 + i * 60_000).toISOString(), decision_id: `d${i}`, tenant: "acme", agent_id: "finance-agent", tool: "stripe-payments", action: "create_payment",
    policy_version: "r1", decision, enforced: "allow", rule_id: rule, reason: decision === "allow" ? "within_limit" : decision === "deny" ? "blocked_over_hard_limit" : "approval_needed",
    ...(decision === "approval_needed" ? { approval: { amount, threshold: 5000, hard_limit: 50000 } } : {}),
    input: { host: "api.stripe.com", method: "POST", path: "/v1/payment_intents", params: { amount, currency: "eur", card: "[REDACTED]" } },
    ...extra,
  });
}

describe("shadow report", () => {
  const amounts = [5100, 5200, 5300, 6000, 6500, 7000, 8000, 9000, 12000, 20000];
  const text = [
    ...amounts.map((a, i) => line(i, a, "approval_needed")),
    line(20, 100, "allow"), line(21, 200, "allow"), line(22, 60000, "deny"),
    '{"type":"checkpoint","seq":9}', "not json", '{"type":"decision"}', "",
  ].join("\n");

  it("counts what each rule would have denied or sent to approval, and skips what is not a decision", () => {
    const { records, skipped } = parseDecisionLines(text);
    expect(skipped).toBe(2);
    const report = buildShadowReport(records);
    expect(report.decisions).toBe(13);
    expect(report.by_outcome).toEqual({ approval_needed: 10, allow: 2, deny: 1 });
    expect(report.rules.map((r) => [r.outcome, r.calls, r.shadow_calls])).toEqual([["approval_needed", 10, 10], ["deny", 1, 1]]);
  });

  it("suggests the threshold that halves approvals, from the approval amounts", () => {
    const report = buildShadowReport(parseDecisionLines(text).records);
    expect(report.suggestions).toHaveLength(1);
    const s = report.suggestions[0]!;
    expect(s).toMatchObject({ approvals: 10, current_threshold: 5000, suggested_threshold: 6500, approvals_after: 5 });
    // The suggestion really halves: of the logged approvals, exactly those above it remain.
    expect(amounts.filter((a) => a > s.suggested_threshold)).toHaveLength(5);
    expect(shadowReportText(report)).toContain("approval_threshold 5000 → 6500 would have cut approvals from 10 to 5");
  });

  it("never suggests above the hard limit, nor from a single approval", () => {
    expect(suggestThreshold([60000, 70000, 80000], 50000)).toBeNull();
    expect(suggestThreshold([6000], 50000)).toBeNull();
    expect(suggestThreshold([6000, 7000, 8000], 50000)).toEqual({ suggested_threshold: 7000, approvals_after: 1 });
  });

  it("gives percentiles and a histogram per numeric parameter, ignoring masked values", () => {
    const report = buildShadowReport(parseDecisionLines(text).records);
    expect(report.params.map((p) => p.param)).toEqual(["amount"]);
    const amount = report.params[0]!;
    expect(amount).toMatchObject({ count: 13, min: 100, max: 60000, p50: 6500 });
    expect(amount.histogram.reduce((n, b) => n + b.count, 0)).toBe(13);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 99)).toBe(4);
    expect(histogram([1, 1, 1])).toEqual([{ from: 1, to: 1, count: 3 }]);
  });

  it("keeps only records since --since", () => {
    const since = parseSince("2026-11-20T00:05:00Z", 0);
    expect(parseDecisionLines(text, since).records.length).toBe(8);
    expect(parseSince("7d", T0)).toBe(T0 - 7 * 86_400_000);
    expect(() => parseSince("seven days", T0)).toThrow(/neither a duration/);
  });

  it("writes self-contained HTML whose logged values are escaped", () => {
    const evil = line(30, 9000, "approval_needed", { agent_id: "<script>alert(1)</script>" });
    const html = shadowReportHtml(buildShadowReport(parseDecisionLines(`${text}\n${evil}`).records));
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>");
    expect(html).not.toMatch(/(src|href)=["']?https?:/);
    expect(html).not.toContain("<link");
    expect(html).toContain("<svg");
  });
});
