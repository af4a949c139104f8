// Messages between loadBundleOffThread and its worker (load-worker.ts).
import type { DataBlocks } from "./data-blocks.ts";
import type { ErrorCode } from "../errors/registry.ts";
import type { BundleContents } from "./read.ts";
import type { LoadBundleOptions, LoadedBundle } from "./source.ts";

export interface LoadRequest {
  readonly source: string;
  readonly options: LoadBundleOptions;
  /** Where to write the raw data.json of a bundle that passes every check (for the bundle history). */
  readonly stageDataJsonAt?: string;
}

/**
 * A bundle as the loader thread hands it to the server: data.json in compressed blocks (raw only
 * when it is not of the Aegis shape, so it is used whole), and not among `files`; the raw bytes
 * stay behind in the loader thread and go away with it.
 */
export interface ServedContents extends Omit<BundleContents, "dataJson"> {
  readonly dataJson: DataBlocks | Uint8Array;
  /** The file the raw data.json was written to, when LoadRequest.stageDataJsonAt asked for it. */
  readonly stagedDataJson?: string;
}

export type ServedLoadResult = (Omit<LoadedBundle, "contents"> & { readonly contents: ServedContents }) | { readonly notModified: true };

export type LoadReply =
  | { readonly ok: true; readonly result: ServedLoadResult }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string; readonly details?: Readonly<Record<string, unknown>> };
