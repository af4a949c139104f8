import { AegisError, isAegisError } from "../errors/registry.ts";
import type { Engine, EngineSource } from "./engine.ts";
import { encodeInput, slicerOf } from "./engine.ts";
import { compileWasm, createPolicyInstance } from "./policy-instance.ts";

/** Evaluates on the calling thread: the lowest latency when the process has one core to spare. */
export async function createInlineEngine(source: EngineSource): Promise<Engine> {
  const slicer = slicerOf(source);
  const instance = createPolicyInstance(await compileWasm(source.wasm));
  return {
    revision: source.revision,
    loadedAt: new Date(),
    evaluate(input, inputJson) {
      try {
        return Promise.resolve(instance.evaluateJson(encodeInput(input, inputJson), slicer.slice(input.tenant, input.agent)));
      } catch (err) {
        return Promise.reject(asEvalError(err));
      }
    },
    close: () => Promise.resolve(),
  };
}

export function asEvalError(err: unknown): AegisError {
  if (isAegisError(err)) return err;
  return new AegisError("AEGIS_ERR_EVAL", `policy evaluation failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
