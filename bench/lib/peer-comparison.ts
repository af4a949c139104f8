// Issue 11's comparison in one table: per server, max throughput and the server CPU each Check
// cost at max (ghz with `concurrency` in flight on the given connections), and p99 at a fixed
// 1k/s; then the targets against the no-op floor. Medians across the rotated runs.
import { formatNs, formatRatio, table } from "../../src/bench/format.ts";
import { type GrpcHarnessResult, type GrpcRatios, MAX_PHASE, type PhaseMedian, ratePhase } from "./grpc-harness.ts";

/** Issue 11, target 3: Aegis against the grpc-js no-op floor. */
export const FLOOR_TARGETS = { aegisOverNoopCpuPerCheck: 1.5, aegisOverNoopP99At1k: 1.5, aegisOverNoopMaxRps: 0.8 } as const;

export function formatPeerComparison(result: GrpcHarnessResult): string {
  const servers = [...new Set(result.medians.map((m) => m.server))];
  const find = (server: string, phase: string): PhaseMedian | undefined => result.medians.find((m) => m.server === server && m.phase === phase);
  const rows = servers.map((server) => {
    const max = find(server, MAX_PHASE);
    const at1k = find(server, ratePhase(1000));
    return [
      server,
      result.peers[server as keyof typeof result.peers] ?? server,
      max === undefined ? "n/a" : max.rps.toFixed(0),
      max?.serverCpuUsPerCheck == null ? "n/a" : max.serverCpuUsPerCheck.toFixed(0),
      formatNs(at1k?.p99Ns ?? null),
    ];
  });
  return [
    "per server (max: as fast as it answers; CPU from the server's own /proc/<pid>/stat):",
    table(["server", "peer", "max req/s", "CPU µs/check at max", "p99 at 1k/s"], rows),
    "",
    "targets (issue 11) against the no-op floor, ratios within each run, median across runs:",
    ...floorTargetLines(result.ratios),
    `  info  CPU per check aegis ÷ opa-envoy: ${formatRatio(result.ratios.aegisOverOpaEnvoyCpuPerCheck)}`,
  ].join("\n");
}

function floorTargetLines(r: GrpcRatios): string[] {
  const line = (name: string, actual: number | null, target: number, atLeast: boolean) => {
    const met = actual === null ? null : atLeast ? actual >= target : actual <= target;
    return `  ${met === null ? "n/a " : met ? "met " : "MISS"}  ${name}: ${formatRatio(actual)} (target ${atLeast ? "≥" : "≤"} ${formatRatio(target)})`;
  };
  return [
    line("CPU per check aegis ÷ no-op floor", r.aegisOverNoopCpuPerCheck, FLOOR_TARGETS.aegisOverNoopCpuPerCheck, false),
    line("p99 at 1k/s aegis ÷ no-op floor", r.aegisOverNoopP99At1k, FLOOR_TARGETS.aegisOverNoopP99At1k, false),
    line("max throughput aegis ÷ no-op floor", r.aegisOverNoopMaxRps, FLOOR_TARGETS.aegisOverNoopMaxRps, true),
  ];
}
