// Hard caps on what reading one bundle may cost, enforced while the bytes stream in, so a hostile
// bundle is refused before it is inflated, not after. Defaults leave room for ~250k agents: a
// 100k-agent bundle built by the scale harness is 3.5 MiB compressed and 94 MiB of data.json
// (bench/RESULTS.md, "Scale"); a bundle holds a handful of entries (.manifest, data.json,
// policy.wasm, the Rego library).
import { AegisError } from "../errors/registry.ts";

export interface BundleLimits {
  /** Bytes of the .tar.gz as stored or sent; a larger file or response is not read. */
  readonly maxCompressedBytes: number;
  /** Bytes of the tar stream after gunzip, headers included. */
  readonly maxDecompressedBytes: number;
  /** Entries in the archive, directories included. */
  readonly maxEntries: number;
  /** Declared size of any one entry; checked from its header, before its content is read. */
  readonly maxEntryBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_BUNDLE_LIMITS: BundleLimits = Object.freeze({
  maxCompressedBytes: 64 * MiB,
  maxDecompressedBytes: 256 * MiB,
  maxEntries: 10_000,
  maxEntryBytes: 256 * MiB,
});

export function withDefaultLimits(limits: Partial<BundleLimits> | undefined): BundleLimits {
  return { ...DEFAULT_BUNDLE_LIMITS, ...limits };
}

export function tooLarge(message: string, details?: Record<string, unknown>): AegisError {
  return new AegisError("AEGIS_ERR_BUNDLE_TOO_LARGE", message, details === undefined ? undefined : { details });
}
