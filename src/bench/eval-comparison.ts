// One `aegis bench` run: Aegis inline, Aegis on worker threads and `opa bench`, interleaved run by
// run so every ratio compares figures taken under the same machine conditions.
import { isDeepStrictEqual } from "node:util";
import { createEngine } from "../engine/create-engine.ts";
import type { Engine, EngineSource } from "../engine/engine.ts";
import type { PolicyInput } from "../input/types.ts";
import { type EvalBenchResult, runEvalBench } from "./eval-bench.ts";
import { medianOpaRun, type OpaBenchResult, opaEvalDecision, runOpaBench, stageForOpa } from "./opa-bench.ts";
import { median } from "./stats.ts";

export interface EvalComparisonOptions {
  readonly source: EngineSource;
  readonly dataJson: Uint8Array;
  readonly input: PolicyInput;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly workers: number;
  readonly runs: number;
  /** The Rego library `opa bench` evaluates with data.json; null skips OPA. */
  readonly regoDir: string | null;
}

export interface EvalSeries {
  readonly runs: readonly EvalBenchResult[];
  readonly median: EvalMedian;
}

export interface EvalMedian {
  readonly nsPerOp: number;
  readonly opsPerSec: number;
  readonly meanNs: number;
  readonly p50Ns: number;
  readonly p90Ns: number;
  readonly p99Ns: number;
  readonly p999Ns: number;
  readonly maxNs: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
}

export interface EvalComparison {
  readonly revision: string;
  readonly decision: { readonly outcome: unknown; readonly reason: unknown };
  /** Aegis's raw decision equals `opa eval`'s on the same input; null when OPA was skipped. */
  readonly sameDecisionAsOpa: boolean | null;
  readonly inline: EvalSeries;
  readonly workers: (EvalSeries & { readonly count: number }) | null;
  readonly opa: OpaBenchResult | null;
  readonly ratios: {
    /** Aegis inline mean ÷ opa bench ns/op (Go's mean); below 1 means Aegis is faster. */
    readonly inlineMeanOverOpaMean: number | null;
    readonly inlineP99OverOpaP99: number | null;
    readonly workersOpsOverInlineOps: number | null;
  };
}

export async function compareEval(options: EvalComparisonOptions): Promise<EvalComparison> {
  const inline = await createEngine(options.source, { workers: 0 });
  const pool = options.workers > 0 ? await createEngine(options.source, { workers: options.workers }) : null;
  const stage = options.regoDir === null ? null : await stageForOpa({ dataJson: options.dataJson, regoDir: options.regoDir }, options.input);
  try {
    const raw = (await inline.evaluate(options.input)) as Record<string, unknown>;
    const sameDecisionAsOpa = stage === null ? null : isDeepStrictEqual(normalizeJson(raw), normalizeJson(await opaEvalDecision(stage)));
    const inlineRuns: EvalBenchResult[] = [];
    const workerRuns: EvalBenchResult[] = [];
    const opaRuns: OpaBenchResult[] = [];
    for (let run = 0; run < options.runs; run++) {
      inlineRuns.push(await bench(inline, options, 1));
      if (pool !== null) workerRuns.push(await bench(pool, options, options.workers * 2));
      if (stage !== null) opaRuns.push(await runOpaBench(stage, 1));
    }
    const inlineSeries = series(inlineRuns);
    const workersSeries = pool === null ? null : { ...series(workerRuns), count: options.workers };
    const opa = stage === null ? null : mergeOpa(opaRuns);
    return {
      revision: options.source.revision,
      decision: { outcome: raw["outcome"], reason: raw["reason"] },
      sameDecisionAsOpa,
      inline: inlineSeries,
      workers: workersSeries,
      opa,
      ratios: {
        inlineMeanOverOpaMean: opa === null ? null : inlineSeries.median.meanNs / opa.median.nsPerOp,
        inlineP99OverOpaP99: opa?.median.p99Ns == null ? null : inlineSeries.median.p99Ns / opa.median.p99Ns,
        workersOpsOverInlineOps: workersSeries === null ? null : workersSeries.median.opsPerSec / inlineSeries.median.opsPerSec,
      },
    };
  } finally {
    await inline.close();
    await pool?.close();
    await stage?.remove();
  }
}

function bench(engine: Engine, options: EvalComparisonOptions, concurrency: number): Promise<EvalBenchResult> {
  return runEvalBench(engine, options.input, { warmupMs: options.warmupMs, durationMs: options.durationMs, concurrency });
}

function series(runs: readonly EvalBenchResult[]): EvalSeries {
  const of = (pick: (r: EvalBenchResult) => number) => median(runs.map(pick));
  return {
    runs,
    median: {
      nsPerOp: of((r) => r.nsPerOp),
      opsPerSec: of((r) => r.opsPerSec),
      meanNs: of((r) => r.latency.meanNs),
      p50Ns: of((r) => r.latency.p50Ns),
      p90Ns: of((r) => r.latency.p90Ns),
      p99Ns: of((r) => r.latency.p99Ns),
      p999Ns: of((r) => r.latency.p999Ns),
      maxNs: of((r) => r.latency.maxNs),
      rssBytes: of((r) => r.memoryAfter.rssBytes),
      heapUsedBytes: of((r) => r.memoryAfter.heapUsedBytes),
    },
  };
}

function mergeOpa(results: readonly OpaBenchResult[]): OpaBenchResult {
  const runs = results.flatMap((r) => r.runs);
  return { opa: results[0]?.opa ?? "opa", runs, median: medianOpaRun(runs) };
}

// OPA prints 12.5 and 1200 where JSON.parse agrees; a round trip drops key order and -0.
function normalizeJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}
