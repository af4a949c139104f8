// One opa-wasm instance with its data set once and its entrypoints resolved once
// ("prepared queries"). Not re-entrant: each thread owns its own instance.
import { createRequire } from "node:module";
import type { LoadedPolicy } from "@open-policy-agent/opa-wasm";

// The package's ESM entry exports only the async loadPolicy; the CJS entry also has
// loadPolicySync, which a worker needs to instantiate without an event-loop turn.
const { loadPolicySync } = createRequire(import.meta.url)("@open-policy-agent/opa-wasm") as {
  loadPolicySync: (module: WebAssembly.Module) => LoadedPolicy;
};
import { DECISION_ENTRYPOINT } from "../bundle/manifest.ts";
import { AegisError } from "../errors/registry.ts";

export { DECISION_ENTRYPOINT };

export interface PolicyInstance {
  /** Evaluates the entrypoint on input given as UTF-8 JSON bytes; returns the Rego result value. */
  evaluateJson(inputJson: Uint8Array): unknown;
}

export function compileWasm(wasm: Uint8Array): WebAssembly.Module {
  try {
    return new WebAssembly.Module(wasm);
  } catch (err) {
    throw new AegisError("AEGIS_ERR_WASM_LOAD", `policy.wasm does not compile: ${String(err)}`, { cause: err });
  }
}

export function createPolicyInstance(module: WebAssembly.Module, dataJson: Uint8Array, entrypoint = DECISION_ENTRYPOINT): PolicyInstance {
  let policy: LoadedPolicy;
  try {
    policy = loadPolicySync(module);
    policy.setData(toArrayBuffer(dataJson));
  } catch (err) {
    throw new AegisError("AEGIS_ERR_WASM_LOAD", `policy.wasm failed to instantiate: ${String(err)}`, { cause: err });
  }
  const entrypoints = policy.entrypoints as Record<string, number>;
  const entrypointId = entrypoints[entrypoint];
  if (entrypointId === undefined) {
    throw new AegisError("AEGIS_ERR_ENTRYPOINT_MISSING", `bundle has no entrypoint "${entrypoint}" (has: ${Object.keys(entrypoints).join(", ") || "none"})`);
  }
  return {
    evaluateJson(inputJson) {
      // opa-wasm copies an ArrayBuffer straight into WASM memory, with no re-serialisation.
      const resultSet = policy.evaluate(toArrayBuffer(inputJson), entrypointId) as unknown;
      return firstResult(resultSet);
    },
  };
}

function firstResult(resultSet: unknown): unknown {
  if (!Array.isArray(resultSet) || resultSet.length !== 1) {
    throw new AegisError("AEGIS_ERR_DECISION_MALFORMED", `expected exactly one result, got ${Array.isArray(resultSet) ? resultSet.length : typeof resultSet}`);
  }
  const first = resultSet[0] as { result?: unknown } | null;
  if (first === null || typeof first !== "object" || !("result" in first)) {
    throw new AegisError("AEGIS_ERR_DECISION_MALFORMED", "result set entry has no result");
  }
  return first.result;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
    return bytes.buffer;
  }
  // Copy out exactly our bytes: a Node Buffer is often a view into a larger shared pool.
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
