import type { ErrorCode } from "../errors/registry.ts";

export interface WorkerInit {
  readonly module: WebAssembly.Module;
  readonly dataJson: Uint8Array;
}

export interface WorkerRequest {
  readonly id: number;
  readonly input: Uint8Array;
}

export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly code: ErrorCode; readonly message: string };

export type WorkerReady = { readonly ready: true } | { readonly ready: false; readonly code: ErrorCode; readonly message: string };
