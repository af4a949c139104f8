// One measurement of a bundle in a fresh process (so RSS belongs to this bundle alone): how long
// loading takes (read + unpack, engine with data, first evaluation), RSS after loading, and the
// latency of evaluating the finance decision with parameters of a given size.
import { readFile } from "node:fs/promises";
import { readBundle } from "../../src/bundle/read.ts";
import { createEngine } from "../../src/engine/create-engine.ts";
import type { PolicyInput } from "../../src/input/types.ts";
import { completeInput } from "../../src/input/complete-input.ts";
import { paramsOfSize } from "./body-params.ts";
import { runEvalBench } from "../../src/bench/eval-bench.ts";
import type { LatencySummary } from "../../src/bench/latency-histogram.ts";
import { SCALE_AGENT } from "./scale-policies.ts";

export interface ProbeOptions {
  readonly bundlePath: string;
  readonly paramsBytes: number;
  readonly workers: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export interface ProbeResult {
  readonly readMs: number;
  readonly engineMs: number;
  readonly firstEvalMs: number;
  /** read + engine + first evaluation: what a reload costs before the swap. */
  readonly loadMs: number;
  readonly rssAfterLoadBytes: number;
  readonly rssAfterEvalBytes: number;
  readonly outcome: unknown;
  readonly eval: LatencySummary;
  readonly opsPerSec: number;
}

export function probeInput(paramsBytes: number): PolicyInput {
  return completeInput({
    tenant: "acme", agent: SCALE_AGENT, identity_source: "header", tool: "stripe-payments", action: "create_payment",
    params: paramsOfSize(paramsBytes), host: "api.stripe.com", method: "POST", path: "/v1/payment_intents",
  });
}

export async function probe(options: ProbeOptions): Promise<ProbeResult> {
  const input = probeInput(options.paramsBytes);
  const t0 = performance.now();
  const contents = await readBundle(await readFile(options.bundlePath));
  const t1 = performance.now();
  const engine = await createEngine({ revision: contents.manifest.revision, wasm: contents.wasm, dataJson: contents.dataJson, dataIndex: contents.dataIndex }, { workers: options.workers });
  const t2 = performance.now();
  try {
    const first = (await engine.evaluate(input)) as { outcome?: unknown };
    const t3 = performance.now();
    const rssAfterLoadBytes = process.memoryUsage().rss;
    const bench = await runEvalBench(engine, input, { warmupMs: options.warmupMs, durationMs: options.durationMs, concurrency: Math.max(1, options.workers * 2) });
    return {
      readMs: t1 - t0, engineMs: t2 - t1, firstEvalMs: t3 - t2, loadMs: t3 - t0,
      rssAfterLoadBytes, rssAfterEvalBytes: bench.memoryAfter.rssBytes,
      outcome: first.outcome, eval: bench.latency, opsPerSec: bench.opsPerSec,
    };
  } finally {
    await engine.close();
  }
}
