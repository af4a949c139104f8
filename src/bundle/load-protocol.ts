// Messages between loadBundleOffThread and its worker (load-worker.ts).
import type { ErrorCode } from "../errors/registry.ts";
import type { LoadBundleOptions, LoadBundleResult } from "./source.ts";

export interface LoadRequest {
  readonly source: string;
  readonly options: LoadBundleOptions;
}

export type LoadReply =
  | { readonly ok: true; readonly result: LoadBundleResult }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string; readonly details?: Readonly<Record<string, unknown>> };
