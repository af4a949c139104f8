// Text tables for harness 2, with the issue's gRPC targets.
import { formatBytes, formatNs, formatRatio, table } from "../../src/bench/format.ts";
import type { GrpcHarnessResult, GrpcRatios } from "./grpc-harness.ts";
import { formatPeerComparison } from "./peer-comparison.ts";

export const GRPC_TARGETS = { aegisOverOpaEnvoyMaxRps: 1.5, aegisOverNoopMaxRps: 0.8, aegisOverOpaEnvoyP99At1k: 0.5 } as const;

export function grpcTargetLines(r: GrpcRatios): string[] {
  const line = (name: string, actual: number | null, target: number, atLeast: boolean) => {
    const met = actual === null ? null : atLeast ? actual >= target : actual <= target;
    return `  ${met === null ? "n/a " : met ? "met " : "MISS"}  ${name}: ${formatRatio(actual)} (target ${atLeast ? "≥" : "≤"} ${formatRatio(target)})`;
  };
  return [
    line("max throughput aegis ÷ opa-envoy", r.aegisOverOpaEnvoyMaxRps, GRPC_TARGETS.aegisOverOpaEnvoyMaxRps, true),
    line("max throughput aegis ÷ no-op floor", r.aegisOverNoopMaxRps, GRPC_TARGETS.aegisOverNoopMaxRps, true),
    line("p99 at 1k/s aegis ÷ opa-envoy", r.aegisOverOpaEnvoyP99At1k, GRPC_TARGETS.aegisOverOpaEnvoyP99At1k, false),
  ];
}

export function formatGrpcResult(result: GrpcHarnessResult, runs: number): string {
  const listAnswers = (of: GrpcHarnessResult["answers"]) => Object.entries(of).map(([name, a]) => `${name}=${a.kind}${a.httpStatus === null ? "" : ` ${a.httpStatus}`}`).join(", ");
  const peers = Object.entries(result.peers).map(([name, peer]) => `${name}=${peer}`).join(", ");
  const rows = result.medians.map((m) => [
    m.server, m.phase, m.rps.toFixed(0), formatNs(m.p50Ns), formatNs(m.p99Ns), formatNs(m.p999Ns), formatNs(m.maxNs),
    `${m.errors}/${m.requests}`, m.serverCores.toFixed(2), m.serverCpuUsPerCheck === null ? "n/a" : m.serverCpuUsPerCheck.toFixed(0), formatBytes(m.serverRssBytes), m.loadGeneratorCores.toFixed(2),
  ]);
  return [
    `peers: ${peers}`,
    `answers to the benchmark request: ${listAnswers(result.answers)}`,
    ...(Object.keys(result.deniedAnswers).length === 0 ? [] : [`answers to the denied request: ${listAnswers(result.deniedAnswers)}`]),
    `medians of ${runs} run(s)`,
    "",
    table(["server", "load", "req/s", "p50", "p99", "p99.9", "max", "errors", "srv cores", "srv µs/check", "srv rss", "ghz cores"], rows),
    "",
    "targets (issue 6), ratios taken within each run, median across runs:",
    ...grpcTargetLines(result.ratios),
    "",
    formatPeerComparison(result),
    "",
  ].join("\n");
}
