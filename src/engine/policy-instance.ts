// One opa-wasm instance with its entrypoint resolved once ("prepared queries") that evaluates each
// call against that call's slice of data.json (src/bundle/data-slice.ts). Parsed slices stay in
// WASM memory, below the per-evaluation scratch heap, keyed by slice id, until they fill
// ARENA_BYTES; then they are all dropped at once (a bump arena: OPA's heap has no cheaper free).
// Not re-entrant: each thread owns its own instance.
import { createRequire } from "node:module";
import type { LoadedPolicy } from "@open-policy-agent/opa-wasm";

// The package's ESM entry exports only the async loadPolicy; the CJS entry also has
// loadPolicySync, which a worker needs to instantiate without an event-loop turn.
const { loadPolicySync } = createRequire(import.meta.url)("@open-policy-agent/opa-wasm") as {
  loadPolicySync: (module: WebAssembly.Module) => LoadedPolicy;
};
import { DECISION_ENTRYPOINT } from "../bundle/manifest.ts";
import type { DataSlice } from "../bundle/data-slice.ts";
import { AegisError } from "../errors/registry.ts";

export { DECISION_ENTRYPOINT };

export interface PolicyInstance {
  /** Evaluates the entrypoint on input given as UTF-8 JSON bytes against `data`; returns the Rego result value. */
  evaluateJson(inputJson: Uint8Array, data: DataSlice): unknown;
}

/** Compiles policy.wasm off the calling thread (V8 compiles asynchronously): a reload never stalls the event loop on it. */
export async function compileWasm(wasm: Uint8Array): Promise<WebAssembly.Module> {
  try {
    return await (WebAssembly as unknown as { compile(bytes: Uint8Array): Promise<WebAssembly.Module> }).compile(wasm);
  } catch (err) {
    throw new AegisError("AEGIS_ERR_WASM_LOAD", `policy.wasm does not compile: ${String(err)}`, { cause: err });
  }
}

/** Parsed slices kept in WASM memory before the arena is reset: bounds the instance's memory. */
export const ARENA_BYTES = 16 * 2 ** 20;

// The fields of opa-wasm's LoadedPolicy this file steers: where data sits and where the
// per-evaluation heap starts (evaluate() writes the input at dataHeapPtr and evaluates above it).
interface PolicyHeap {
  dataAddr: number;
  dataHeapPtr: number;
  readonly baseHeapPtr: number;
  readonly mem: WebAssembly.Memory;
  readonly wasmInstance: WebAssembly.Instance;
}
interface HeapExports {
  opa_heap_ptr_set(ptr: number): void;
  opa_heap_ptr_get(): number;
  opa_malloc(size: number): number;
  opa_json_parse(addr: number, length: number): number;
}

export function createPolicyInstance(module: WebAssembly.Module, entrypoint = DECISION_ENTRYPOINT): PolicyInstance {
  let policy: LoadedPolicy;
  try {
    policy = loadPolicySync(module);
  } catch (err) {
    throw new AegisError("AEGIS_ERR_WASM_LOAD", `policy.wasm failed to instantiate: ${String(err)}`, { cause: err });
  }
  const entrypoints = policy.entrypoints as Record<string, number>;
  const entrypointId = entrypoints[entrypoint];
  if (entrypointId === undefined) {
    throw new AegisError("AEGIS_ERR_ENTRYPOINT_MISSING", `bundle has no entrypoint "${entrypoint}" (has: ${Object.keys(entrypoints).join(", ") || "none"})`);
  }
  const heap = policy as unknown as PolicyHeap;
  const wasm = heap.wasmInstance.exports as unknown as HeapExports;
  const parsed = new Map<number, number>();
  let current = Number.NaN;

  function parseIntoArena(json: Uint8Array): number {
    if (heap.dataHeapPtr - heap.baseHeapPtr + json.byteLength > ARENA_BYTES && parsed.size > 0) {
      parsed.clear();
      heap.dataHeapPtr = heap.baseHeapPtr;
    }
    wasm.opa_heap_ptr_set(heap.dataHeapPtr);
    const raw = wasm.opa_malloc(json.byteLength);
    new Uint8Array(heap.mem.buffer).set(json, raw);
    const addr = wasm.opa_json_parse(raw, json.byteLength);
    if (addr === 0) throw new AegisError("AEGIS_ERR_EVAL", "data.json slice failed to parse in the policy runtime");
    heap.dataHeapPtr = wasm.opa_heap_ptr_get();
    return addr;
  }

  return {
    evaluateJson(inputJson, data) {
      if (data.id !== current) {
        let addr = parsed.get(data.id);
        if (addr === undefined) {
          current = Number.NaN;
          addr = parseIntoArena(data.json);
          parsed.set(data.id, addr);
        }
        heap.dataAddr = addr;
        current = data.id;
      }
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
