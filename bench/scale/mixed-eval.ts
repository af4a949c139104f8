// Evaluation latency when calls come from many agents, not one: each agent's slice of data.json is
// parsed into the WASM on its first call and reused until the arena fills (src/engine/policy-instance.ts);
// a slice not parsed yet is assembled from data.json's compressed blocks, as in aegis serve.
//   node bench/scale/mixed-eval.ts <bundle.tar.gz> [seconds per pattern] [--json out.json]
// Patterns: one agent (every call reuses its slice), 1,000 agents in turn (they fit the arena),
// every agent of the bundle in turn (at 100k agents nearly every call parses its slice).
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { blockReader, compressDataBlocks } from "../../src/bundle/data-blocks.ts";
import { dataSlicer } from "../../src/bundle/data-slice.ts";
import { readBundle } from "../../src/bundle/read.ts";
import { createEngine } from "../../src/engine/create-engine.ts";
import type { PolicyInput } from "../../src/input/types.ts";
import { probeInput } from "../lib/scale-probe.ts";

const { positionals, values } = parseArgs({ allowPositionals: true, options: { json: { type: "string" } } });
const [bundlePath, seconds = "3"] = positionals;
if (bundlePath === undefined) {
  process.stderr.write("usage: node bench/scale/mixed-eval.ts <bundle.tar.gz> [seconds] [--json out.json]\n");
  process.exit(2);
}
const contents = await readBundle(await readFile(bundlePath));
// data.json as aegis serve holds it: in compressed blocks, read through the block cache.
const dataJson = contents.dataIndex.tenants === null ? contents.dataJson : blockReader(compressDataBlocks(contents.dataJson, contents.dataIndex));
const engine = await createEngine({ revision: "mixed", wasm: contents.wasm, dataJson, dataIndex: contents.dataIndex }, { workers: 0 });
const slicer = dataSlicer(dataJson, contents.dataIndex);
const base = probeInput(0);
const everyone: PolicyInput[] = [];
for (const tenant of slicer.tenantNames()) for (const agent of slicer.agentNames(tenant)) everyone.push({ ...base, tenant, agent });
const step = Math.max(1, Math.floor(everyone.length / 1000));
const patterns: Record<string, PolicyInput[]> = {
  "one agent": [base],
  "1000 agents": everyone.filter((_, i) => i % step === 0).slice(0, 1000),
  [`all ${everyone.length} agents`]: everyone,
};

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

const results: Record<string, { calls: number; p50Us: number; p99Us: number; p999Us: number }> = {};
for (const [name, inputs] of Object.entries(patterns)) {
  for (let i = 0; i < Math.min(inputs.length, 2000); i++) await engine.evaluate(inputs[i]!);
  const samples: number[] = [];
  const end = performance.now() + Number(seconds) * 1000;
  for (let i = 0; performance.now() < end; i++) {
    const t = process.hrtime.bigint();
    await engine.evaluate(inputs[i % inputs.length]!);
    samples.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  const sorted = Float64Array.from(samples).sort();
  results[name] = { calls: samples.length, p50Us: percentile(sorted, 0.5), p99Us: percentile(sorted, 0.99), p999Us: percentile(sorted, 0.999) };
  process.stdout.write(`${name.padEnd(20)} ${String(samples.length).padStart(8)} calls  p50 ${results[name].p50Us.toFixed(1)} µs  p99 ${results[name].p99Us.toFixed(1)} µs  p99.9 ${results[name].p999Us.toFixed(1)} µs\n`);
}
const rssBytes = process.memoryUsage().rss;
process.stdout.write(`rss ${(rssBytes / 2 ** 20).toFixed(0)} MiB, data.json ${(contents.dataJson.byteLength / 2 ** 20).toFixed(1)} MiB, agents ${everyone.length}\n`);
if (values.json !== undefined) await writeFile(values.json, `${JSON.stringify({ bundle: bundlePath, agents: everyone.length, dataJsonBytes: contents.dataJson.byteLength, rssBytes, results }, null, 2)}\n`);
await engine.close();
