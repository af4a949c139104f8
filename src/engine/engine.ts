// What the rest of Aegis sees of policy evaluation: a revision and an async evaluate.
import type { DataBytes } from "../bundle/data-bytes.ts";
import type { DataIndex } from "../bundle/data-index.ts";
import { dataSlicer, type DataSlicer } from "../bundle/data-slice.ts";
import type { PolicyInput } from "../input/types.ts";

export interface EngineSource {
  /** Bundle revision; becomes every decision's policy_version. */
  readonly revision: string;
  readonly wasm: Uint8Array;
  /** data.json exactly as in the bundle (UTF-8 JSON): raw, or read through compressed blocks (then with its index). */
  readonly dataJson: Uint8Array | DataBytes;
  /** dataJson's index, when the loader already built it (off the event loop); built here otherwise. */
  readonly dataIndex?: DataIndex;
}

export interface Engine {
  readonly revision: string;
  readonly loadedAt: Date;
  /** The raw Rego decision value; throws an AegisError when evaluation fails. */
  /** `inputJson`, when given, is JSON.stringify(input) already made by the caller (the decision cache's key): not serialized twice. */
  evaluate(input: PolicyInput, inputJson?: string): Promise<unknown>;
  close(): Promise<void>;
}

export interface EngineOptions {
  /** 0 evaluates on the calling thread; N > 0 uses N worker threads, one WASM instance each. */
  readonly workers: number;
}

const encoder = new TextEncoder();

export function encodeInput(input: PolicyInput, inputJson?: string): Uint8Array {
  return encoder.encode(inputJson ?? JSON.stringify(input));
}

/** The slicer for a source's data: each evaluation gets its call's slice, never the whole document. */
export function slicerOf(source: EngineSource): DataSlicer {
  return dataSlicer(source.dataJson, source.dataIndex);
}
