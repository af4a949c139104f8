// What the rest of Aegis sees of policy evaluation: a revision and an async evaluate.
import type { PolicyInput } from "../input/types.ts";

export interface EngineSource {
  /** Bundle revision; becomes every decision's policy_version. */
  readonly revision: string;
  readonly wasm: Uint8Array;
  /** data.json exactly as in the bundle (UTF-8 JSON). */
  readonly dataJson: Uint8Array;
}

export interface Engine {
  readonly revision: string;
  readonly loadedAt: Date;
  /** The raw Rego decision value; throws an AegisError when evaluation fails. */
  evaluate(input: PolicyInput): Promise<unknown>;
  close(): Promise<void>;
}

export interface EngineOptions {
  /** 0 evaluates on the calling thread; N > 0 uses N worker threads, one WASM instance each. */
  readonly workers: number;
}

const encoder = new TextEncoder();

export function encodeInput(input: PolicyInput): Uint8Array {
  return encoder.encode(JSON.stringify(input));
}
