// Text tables for harness 4, with the issue's scale and memory targets.
import { formatBytes, formatNs, formatRatio, table } from "../../src/bench/format.ts";
import type { SoakResult, ScaleBundle, ServedReload } from "./scale-harness.ts";
import type { ProbeResult } from "./scale-probe.ts";
import type { LatencySummary } from "../../src/bench/latency-histogram.ts";

export const SCALE_TARGETS = { p99GrowthAt100k: 1.5, rssAt100kBytes: 200 * 1024 * 1024, reloadAt100kMs: 1000, spikeOverP99: 2, soakGrowth: 0.1 } as const;

export interface AgentsPoint {
  readonly bundle: ScaleBundle;
  readonly probe: ProbeResult;
  readonly probeWorkers: ProbeResult | null;
  readonly reload: ServedReload | null;
}

export interface BodyPoint {
  readonly bytes: number;
  readonly probe: ProbeResult;
  /** Check at a constant rate through gRPC, by server. */
  readonly check: Readonly<Record<string, LatencySummary>>;
  /** By server, which implementation answered (see CheckServer.peer). */
  readonly peers: Readonly<Record<string, string>>;
}

export interface ScaleReport {
  readonly agents: readonly AgentsPoint[];
  readonly bodies: readonly BodyPoint[];
  readonly soak: SoakResult | null;
  readonly runs: number;
  readonly probeWorkers: number;
}

const ms = (v: number) => `${v.toFixed(0)} ms`;

export function formatScaleReport(r: ScaleReport): string {
  const lines: string[] = [`medians of ${r.runs} probe run(s), each in a fresh process`, ""];
  if (r.agents.length > 0) {
    lines.push("by number of agents (in-process, inline engine):");
    lines.push(table(
      ["agents", "data.json", "bundle", "build", "read", "engine", "load total", "rss loaded", "rss after eval", "eval p50", "p99", "p99.9"],
      r.agents.map(({ bundle: b, probe: p }) => [String(b.agents), formatBytes(b.dataJsonBytes), formatBytes(b.bundleBytes), b.buildMs === null ? "cached" : ms(b.buildMs), ms(p.readMs), ms(p.engineMs), ms(p.loadMs), formatBytes(p.rssAfterLoadBytes), formatBytes(p.rssAfterEvalBytes), formatNs(p.eval.p50Ns), formatNs(p.eval.p99Ns), formatNs(p.eval.p999Ns)]),
    ));
    const withWorkers = r.agents.filter((a) => a.probeWorkers !== null);
    if (withWorkers.length > 0) {
      lines.push("", `with ${r.probeWorkers} worker threads (one WASM instance per worker; each call hands its worker the data slice it needs):`);
      lines.push(table(["agents", "load total", "rss loaded", "rss after eval", "eval p50", "p99"], withWorkers.map(({ bundle: b, probeWorkers: p }) => [String(b.agents), ms(p!.loadMs), formatBytes(p!.rssAfterLoadBytes), formatBytes(p!.rssAfterEvalBytes), formatNs(p!.eval.p50Ns), formatNs(p!.eval.p99Ns)])));
    }
    const reloads = r.agents.filter((a) => a.reload !== null);
    if (reloads.length > 0) {
      lines.push("", "reload under aegis serve with checks in flight (bundle file replaced by rename):");
      lines.push(table(["agents", "reload", "rss before", "rss after", "baseline p99", "during reload p99", "max", "max ÷ p99", "errors"], reloads.map(({ bundle: b, reload: x }) => [String(b.agents), ms(x!.reloadMs), formatBytes(x!.rssBeforeBytes), formatBytes(x!.rssAfterBytes), formatNs(x!.baseline.p99Ns), formatNs(x!.duringReload.p99Ns), formatNs(x!.duringReload.maxNs), formatRatio(x!.spikeOverBaselineP99), String(x!.errors)])));
    }
  }
  if (r.bodies.length > 0) {
    const servers = [...new Set(r.bodies.flatMap((b) => Object.keys(b.check)))];
    lines.push("", "by request body size (in-process eval of the parameters; Check over gRPC at a constant rate):");
    lines.push(table(["body", "eval p50", "eval p99", ...servers.flatMap((s) => [`${s} p50`, `${s} p99`])], r.bodies.map((b) => [formatBytes(b.bytes), formatNs(b.probe.eval.p50Ns), formatNs(b.probe.eval.p99Ns), ...servers.flatMap((s) => [formatNs(b.check[s]?.p50Ns ?? null), formatNs(b.check[s]?.p99Ns ?? null)])])));
  }
  if (r.soak !== null) {
    const s = r.soak;
    lines.push("", `soak: ${s.seconds} s at ${s.rate}/s: RSS at minute one ${formatBytes(s.rssAtMinuteOneBytes)}, at the end ${formatBytes(s.rssAtEndBytes)} (${(s.growth * 100).toFixed(1)}%), p99 ${formatNs(s.latency.p99Ns)}, errors ${s.errors}`);
    lines.push(`  RSS samples: ${s.rss.filter((_, i) => i % 12 === 0 || i === s.rss.length - 1).map(([t, b]) => `${t.toFixed(0)}s=${formatBytes(b)}`).join(" ")}`);
  }
  lines.push("", "targets (issue 6):", ...scaleTargetLines(r), "");
  return lines.join("\n");
}

export function scaleTargetLines(r: ScaleReport): string[] {
  const out: string[] = [];
  const mark = (met: boolean) => (met ? "met " : "MISS");
  const smallest = r.agents[0];
  const at100k = r.agents.find((a) => a.bundle.agents === 100_000);
  if (smallest !== undefined && at100k !== undefined && smallest !== at100k) {
    const growth = at100k.probe.eval.p99Ns / smallest.probe.eval.p99Ns;
    out.push(`  ${mark(growth <= SCALE_TARGETS.p99GrowthAt100k)}  eval p99 at 100k ÷ at ${smallest.bundle.agents} agents: ${formatRatio(growth)} (target ≤ ${formatRatio(SCALE_TARGETS.p99GrowthAt100k)})`);
  }
  if (at100k !== undefined) {
    const rss = at100k.reload?.rssAfterBytes ?? at100k.probe.rssAfterEvalBytes;
    out.push(`  ${mark(rss <= SCALE_TARGETS.rssAt100kBytes)}  RSS with 100k agents${at100k.reload === null ? " (in-process probe)" : " (aegis serve)"}: ${formatBytes(rss)} (target ≤ ${formatBytes(SCALE_TARGETS.rssAt100kBytes)})`);
    if (at100k.reload !== null) {
      out.push(`  ${mark(at100k.reload.reloadMs <= SCALE_TARGETS.reloadAt100kMs)}  reload of the 100k-agent bundle: ${ms(at100k.reload.reloadMs)} (target ≤ ${ms(SCALE_TARGETS.reloadAt100kMs)})`);
      out.push(`  ${mark(at100k.reload.spikeOverBaselineP99 <= SCALE_TARGETS.spikeOverP99)}  latency spike during that reload (max ÷ baseline p99): ${formatRatio(at100k.reload.spikeOverBaselineP99)} (target ≤ ${formatRatio(SCALE_TARGETS.spikeOverP99)})`);
    }
  }
  if (r.soak !== null) out.push(`  ${mark(r.soak.growth <= SCALE_TARGETS.soakGrowth)}  RSS growth over the soak: ${(r.soak.growth * 100).toFixed(1)}% (target ≤ 10%, over 600 s at 1k/s)`);
  return out.length > 0 ? out : ["  n/a   (needs 100k agents or --soak)"];
}
