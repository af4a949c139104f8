import type { Engine, EngineOptions, EngineSource } from "./engine.ts";
import { createInlineEngine } from "./inline-engine.ts";
import { createWorkerPoolEngine } from "./worker-pool-engine.ts";

export async function createEngine(source: EngineSource, options: EngineOptions): Promise<Engine> {
  return options.workers > 0 ? createWorkerPoolEngine(source, options.workers) : createInlineEngine(source);
}
