// The in-process evaluation benchmark (`aegis bench`), in the manner of `opa bench`: warm up, then
// evaluate the same input for a fixed time, timing every evaluation. Inline engines run one
// evaluation at a time; worker pools are kept busy with `concurrency` evaluations in flight, so
// their figures are throughput under load (queueing included), not single-call latency.
import type { Engine } from "../engine/engine.ts";
import type { PolicyInput } from "../input/types.ts";
import { createLatencyRecorder, type LatencySummary } from "./latency-histogram.ts";

export interface EvalBenchOptions {
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Evaluations kept in flight; 1 for an inline engine. */
  readonly concurrency: number;
}

export interface MemorySample {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  /** ArrayBuffers outside the JS heap, WASM memories included. */
  readonly arrayBuffersBytes: number;
}

export interface EvalBenchResult {
  readonly ops: number;
  readonly elapsedNs: number;
  /** Wall time per evaluation: elapsed ÷ ops (with concurrency > 1, the inverse of throughput). */
  readonly nsPerOp: number;
  readonly opsPerSec: number;
  readonly latency: LatencySummary;
  readonly memoryBefore: MemorySample;
  readonly memoryAfter: MemorySample;
}

export function sampleMemory(): MemorySample {
  const m = process.memoryUsage();
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, heapTotalBytes: m.heapTotal, arrayBuffersBytes: m.arrayBuffers };
}

export async function runEvalBench(engine: Engine, input: PolicyInput, options: EvalBenchOptions): Promise<EvalBenchResult> {
  await runFor(engine, input, options.warmupMs, options.concurrency, null);
  const recorder = createLatencyRecorder();
  const memoryBefore = sampleMemory();
  const started = process.hrtime.bigint();
  const ops = await runFor(engine, input, options.durationMs, options.concurrency, (ns) => recorder.record(ns));
  const elapsedNs = Number(process.hrtime.bigint() - started);
  const memoryAfter = sampleMemory();
  return {
    ops,
    elapsedNs,
    nsPerOp: ops === 0 ? 0 : elapsedNs / ops,
    opsPerSec: elapsedNs === 0 ? 0 : (ops * 1e9) / elapsedNs,
    latency: recorder.summary(),
    memoryBefore,
    memoryAfter,
  };
}

async function runFor(engine: Engine, input: PolicyInput, durationMs: number, concurrency: number, record: ((ns: number) => void) | null): Promise<number> {
  const deadline = process.hrtime.bigint() + BigInt(Math.round(durationMs * 1e6));
  let ops = 0;
  const lane = async (): Promise<void> => {
    while (process.hrtime.bigint() < deadline) {
      const start = process.hrtime.bigint();
      await engine.evaluate(input);
      record?.(Number(process.hrtime.bigint() - start));
      ops++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
  return ops;
}
