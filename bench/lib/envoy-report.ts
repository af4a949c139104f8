// Text tables for harness 3, with the end-to-end target.
import type { EnvoyHarnessResult } from "./envoy-harness.ts";
import { formatNs, table } from "../../src/bench/format.ts";

export const HOP_P99_TARGET_NS = 1_000_000;

export function formatEnvoyResult(result: EnvoyHarnessResult, runs: number): string {
  const rows = result.medians.map((m) => [m.mode, m.peer ?? "", `${m.rate}/s`, m.rps.toFixed(0), formatNs(m.p50Ns), formatNs(m.p90Ns), formatNs(m.p99Ns), formatNs(m.p999Ns), formatNs(m.maxNs), `${m.errors}/${m.requests}`]);
  const hopRows = result.hops.map((h) => [h.mode, h.peer ?? "", `${h.rate}/s`, formatNs(h.p50Ns), formatNs(h.p99Ns), formatNs(h.p999Ns)]);
  const targets = result.hops
    .filter((h) => h.mode === "envoy+aegis" && h.rate === 1000)
    .map((h) => `  ${h.p99Ns <= HOP_P99_TARGET_NS ? "met " : "MISS"}  authorization hop at 1k/s, p99: ${formatNs(h.p99Ns)} (target ≤ ${formatNs(HOP_P99_TARGET_NS)})`);
  return [
    `medians of ${runs} run(s)`,
    "",
    table(["path", "ext_authz", "rate", "req/s", "p50", "p90", "p99", "p99.9", "max", "errors"], rows),
    "",
    "latency the authorization hop adds (Envoy + ext_authz − Envoy alone, per run, median):",
    table(["path", "ext_authz", "rate", "p50", "p99", "p99.9"], hopRows),
    "",
    "targets (issue 6):",
    ...(targets.length > 0 ? targets : ["  n/a   (needs the envoy and envoy+aegis paths at 1000/s)"]),
    "",
  ].join("\n");
}
