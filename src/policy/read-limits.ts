// How much policy input `aegis validate`, `build` and `test` will read. Without caps, one 50 MB
// YAML file drove validation past 4 GB and a V8 abort. Memory follows YAML nodes more than bytes
// (about 1 KB per node while parsed, with the source positions kept for messages: a dense 1 MB
// flow sequence took 680 MB), and schema validation of many wrong nodes is quadratic in their
// number. Real policies are a few kilobytes, a large tenant's tools catalog some tens: these caps
// leave ample room for that and keep a run within a few hundred megabytes.

export interface PolicyReadLimits {
  /** One file, checked with fstat before reading (and enforced while reading). */
  readonly maxFileBytes: number;
  /** All files read for one run, together. */
  readonly maxTotalBytes: number;
  /** Policy files found under a directory. */
  readonly maxFiles: number;
  /** YAML nodes (mappings, sequences, scalars, aliases) in one file, all its documents together. */
  readonly maxNodesPerFile: number;
  /** YAML nodes of all files together (they are kept until validation ends). */
  readonly maxTotalNodes: number;
}

export const DEFAULT_POLICY_READ_LIMITS: PolicyReadLimits = Object.freeze({
  maxFileBytes: 256 * 1024,
  maxTotalBytes: 16 * 1024 * 1024,
  maxFiles: 10_000,
  maxNodesPerFile: 20_000,
  maxTotalNodes: 200_000,
});

export function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}
