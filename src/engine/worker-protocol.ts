import type { ErrorCode } from "../errors/registry.ts";

export interface WorkerInit {
  readonly module: WebAssembly.Module;
}

export interface WorkerRequest {
  readonly id: number;
  readonly input: Uint8Array;
  /** The call's data slice (src/bundle/data-slice.ts): workers hold no copy of data.json. */
  readonly dataId: number;
  readonly data: Uint8Array;
}

export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly code: ErrorCode; readonly message: string };

export type WorkerReady = { readonly ready: true } | { readonly ready: false; readonly code: ErrorCode; readonly message: string };
