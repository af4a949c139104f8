// The shadow report as terminal text and as one self-contained HTML page (inline SVG, no CDN).
import { escapeHtml } from "./html-escape.ts";
import type { CallKey, ShadowReport } from "./shadow-report.ts";
import { barChart, histogramChart } from "./svg-charts.ts";

const who = (k: CallKey) => `${k.tenant}/${k.agent} ${k.tool}.${k.action}`;
const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

export function shadowReportText(report: ShadowReport): string {
  const out: string[] = [];
  out.push(`${report.decisions} decisions${report.from === null ? "" : ` from ${report.from} to ${report.to}`}: ` +
    (Object.entries(report.by_outcome).map(([o, n]) => `${o} ${n}`).join(", ") || "none"));
  out.push("", "would deny / needs approval, by rule:");
  if (report.rules.length === 0) out.push("  (none)");
  for (const r of report.rules) {
    out.push(`  ${String(r.calls).padStart(6)}  ${r.outcome.padEnd(15)} ${who(r)}  rule ${r.rule_id} (${r.reason})${r.shadow_calls > 0 ? `, ${r.shadow_calls} let through in shadow mode` : ""}`);
  }
  out.push("", "numeric parameters (p50 / p90 / p99 / max):");
  if (report.params.length === 0) out.push("  (none)");
  for (const p of report.params) out.push(`  ${who(p)} ${p.param}: n=${p.count} ${num(p.p50)} / ${num(p.p90)} / ${num(p.p99)} / ${num(p.max)}`);
  out.push("", "threshold suggestions:");
  if (report.suggestions.length === 0) out.push("  (none: too few approvals with an amount)");
  for (const s of report.suggestions) {
    out.push(`  ${who(s)}: approval_threshold ${s.current_threshold === null ? "?" : num(s.current_threshold)} → ${num(s.suggested_threshold)} would have cut approvals from ${s.approvals} to ${s.approvals_after}`);
  }
  return `${out.join("\n")}\n`;
}

/** The report's body sections (also embedded by the console). */
export function shadowReportSections(report: ShadowReport): string {
  const rows = report.rules.map((r) => `<tr><td>${escapeHtml(r.tenant)}/${escapeHtml(r.agent)}</td><td>${escapeHtml(r.tool)}.${escapeHtml(r.action)}</td><td><code>${escapeHtml(r.rule_id)}</code></td><td>${escapeHtml(r.outcome)}</td><td>${escapeHtml(r.reason)}</td><td class="n">${r.calls}</td><td class="n">${r.shadow_calls}</td></tr>`).join("");
  const suggestions = report.suggestions.map((s) => `<li>${escapeHtml(who(s))}: <code>approval_threshold</code> ${s.current_threshold === null ? "?" : escapeHtml(num(s.current_threshold))} → <strong>${escapeHtml(num(s.suggested_threshold))}</strong> would have cut approvals from ${s.approvals} to ${s.approvals_after}.</li>`).join("");
  const params = report.params.map((p) => {
    const s = report.suggestions.find((x) => who(x) === who(p) && p.param === "amount");
    const marker = s === undefined ? undefined : { value: s.suggested_threshold, label: `suggested ${num(s.suggested_threshold)}` };
    return `<figure><figcaption>${escapeHtml(who(p))} <code>${escapeHtml(p.param)}</code>: n=${p.count}, p50 ${escapeHtml(num(p.p50))}, p90 ${escapeHtml(num(p.p90))}, p99 ${escapeHtml(num(p.p99))}, max ${escapeHtml(num(p.max))}</figcaption>${histogramChart(`${who(p)} ${p.param} distribution`, p.histogram, marker)}</figure>`;
  }).join("");
  return `<section aria-labelledby="h-outcomes"><h2 id="h-outcomes">Outcomes</h2>${barChart("decisions by outcome", Object.entries(report.by_outcome).map(([label, value]) => ({ label, value })))}</section>` +
    `<section aria-labelledby="h-rules"><h2 id="h-rules">Would deny or need approval, by rule</h2>` +
    (rows === "" ? "<p>None.</p>" : `<table><thead><tr><th scope="col">agent</th><th scope="col">tool.action</th><th scope="col">rule</th><th scope="col">outcome</th><th scope="col">reason</th><th scope="col">calls</th><th scope="col">in shadow</th></tr></thead><tbody>${rows}</tbody></table>`) +
    `</section><section aria-labelledby="h-suggest"><h2 id="h-suggest">Threshold suggestions</h2>${suggestions === "" ? "<p>None: too few approvals with an amount.</p>" : `<ul>${suggestions}</ul>`}</section>` +
    `<section aria-labelledby="h-params"><h2 id="h-params">Numeric parameters</h2>${params === "" ? "<p>None.</p>" : params}</section>`;
}

export const REPORT_CSS = "body{font:15px/1.45 system-ui,sans-serif;max-width:72rem;margin:1.5rem auto;padding:0 1rem;color:#1b1b1b}" +
  "table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border-bottom:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}" +
  "td.n{text-align:right}figure{margin:1rem 0}code{font-size:.9em}svg.chart{max-width:100%;height:auto}";

export function shadowReportHtml(report: ShadowReport, title = "Aegis shadow report"): string {
  const span = report.from === null ? "no decisions" : `${report.decisions} decisions, ${report.from} – ${report.to}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(title)}</title><style>${REPORT_CSS}</style></head><body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(span)}</p>${shadowReportSections(report)}</main></body></html>\n`;
}
