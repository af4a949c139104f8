// The text `aegis bench` prints: one row per engine, then ratios and the eval targets.
import type { EvalComparison, EvalMedian } from "./eval-comparison.ts";
import { formatBytes, formatNs, formatRate, formatRatio, table } from "./format.ts";

export const EVAL_TARGETS = { inlineP99Ns: 50_000, inlineMeanOverOpaMean: 1.0 } as const;

export interface EvalTargetCheck {
  readonly name: string;
  readonly target: string;
  readonly actual: string;
  readonly met: boolean | null;
}

export function evalTargets(c: EvalComparison): EvalTargetCheck[] {
  const ratio = c.ratios.inlineMeanOverOpaMean;
  return [
    { name: "inline p99", target: `≤ ${formatNs(EVAL_TARGETS.inlineP99Ns)}`, actual: formatNs(c.inline.median.p99Ns), met: c.inline.median.p99Ns <= EVAL_TARGETS.inlineP99Ns },
    { name: "inline mean ÷ opa bench mean", target: `≤ ${formatRatio(EVAL_TARGETS.inlineMeanOverOpaMean)}`, actual: formatRatio(ratio), met: ratio === null ? null : ratio <= EVAL_TARGETS.inlineMeanOverOpaMean },
  ];
}

function row(name: string, m: EvalMedian): string[] {
  return [name, formatNs(m.nsPerOp), formatRate(m.opsPerSec), formatNs(m.meanNs), formatNs(m.p50Ns), formatNs(m.p90Ns), formatNs(m.p99Ns), formatNs(m.p999Ns), formatBytes(m.rssBytes), formatBytes(m.heapUsedBytes)];
}

export function formatEvalComparison(c: EvalComparison, runs: number): string {
  const rows = [row("aegis inline (0 workers)", c.inline.median)];
  if (c.workers !== null) rows.push(row(`aegis ${c.workers.count} worker threads`, c.workers.median));
  if (c.opa !== null) {
    const o = c.opa.median;
    rows.push(["opa bench (Go topdown)", formatNs(o.nsPerOp), formatRate(1e9 / o.nsPerOp), formatNs(o.nsPerOp), formatNs(o.p50Ns), formatNs(o.p90Ns), formatNs(o.p99Ns), formatNs(o.p999Ns), `${o.allocsPerOp.toFixed(0)} allocs/op`, `${formatBytes(o.bytesPerOp)}/op`]);
  }
  const lines = [
    `decision: ${String(c.decision.outcome)} (${String(c.decision.reason)}), bundle revision ${c.revision}` +
      (c.sameDecisionAsOpa === null ? "" : c.sameDecisionAsOpa ? "; opa eval agrees" : "; OPA EVAL DISAGREES"),
    `medians of ${runs} run(s)`,
    "",
    table(["engine", "ns/op", "ops/s", "mean", "p50", "p90", "p99", "p99.9", "rss | allocs", "heap | bytes"], rows),
    "",
    `ratio aegis inline mean ÷ opa bench mean: ${formatRatio(c.ratios.inlineMeanOverOpaMean)}`,
    `ratio aegis inline p99 ÷ opa bench p99:   ${formatRatio(c.ratios.inlineP99OverOpaP99)}`,
  ];
  if (c.workers !== null) lines.push(`ratio workers ops/s ÷ inline ops/s:       ${formatRatio(c.ratios.workersOpsOverInlineOps)}`);
  lines.push("", "targets (issue 6):");
  for (const t of evalTargets(c)) lines.push(`  ${t.met === null ? "n/a " : t.met ? "met " : "MISS"}  ${t.name}: ${t.actual} (target ${t.target})`);
  return `${lines.join("\n")}\n`;
}
