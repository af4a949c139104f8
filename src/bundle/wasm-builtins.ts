// Which builtins a compiled policy.wasm needs from its host. OPA's WASM runtime implements most
// builtins natively; for the rest, the module exports `builtins()`, a JSON object naming each one
// the host must supply. The opa-wasm SDK supplies only a few (and no time.*, io.jwt.* or
// http.send), so Aegis refuses a bundle whose Rego needs any: what is not native is not run.
import { AegisError } from "../errors/registry.ts";

const PAGE = 65536;

function noop(): number {
  return 0;
}

/** Names of the builtins `wasm` leaves to the host, sorted; [] when it is self-contained. */
export function hostBuiltins(wasm: Uint8Array): string[] {
  try {
    const memory = new WebAssembly.Memory({ initial: 5 });
    // The module is instantiated only to ask it; no entrypoint runs, so the host functions never are.
    const env = { memory, opa_abort: noop, opa_println: noop, opa_builtin0: noop, opa_builtin1: noop, opa_builtin2: noop, opa_builtin3: noop, opa_builtin4: noop };
    const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm), { env });
    const exports = instance.exports as Record<string, (...args: number[]) => number>;
    const dumped = exports.opa_json_dump?.(exports.builtins?.() ?? 0) ?? 0;
    const bytes = new Uint8Array(memory.buffer, dumped, Math.min(PAGE, memory.buffer.byteLength - dumped));
    const end = bytes.indexOf(0);
    const names = JSON.parse(new TextDecoder().decode(bytes.subarray(0, end < 0 ? bytes.length : end))) as Record<string, number>;
    return Object.keys(names).sort();
  } catch (err) {
    throw new AegisError("AEGIS_ERR_OPA_BUILD", `cannot read the builtins policy.wasm needs: ${(err as Error).message}`, { cause: err });
  }
}
