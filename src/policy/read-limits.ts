// How much policy input `aegis validate`, `build` and `test` will read. Without caps, one 50 MB
// YAML file drove validation past 4 GB and a V8 abort. Memory follows YAML nodes more than bytes
// (about 1 KB per node while parsed, with the source positions kept for messages: a dense 1 MB
// flow sequence took 680 MB), and schema validation of many wrong nodes is quadratic in their
// number. Real policies are a few kilobytes, a large tenant's tools catalog some tens: these caps
// leave ample room for that and keep a run within a few hundred megabytes.
import { AegisError } from "../errors/registry.ts";

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

const LIMIT_ENV: Readonly<Record<keyof PolicyReadLimits, string>> = Object.freeze({
  maxFileBytes: "AEGIS_POLICY_MAX_FILE_BYTES",
  maxTotalBytes: "AEGIS_POLICY_MAX_TOTAL_BYTES",
  maxFiles: "AEGIS_POLICY_MAX_FILES",
  maxNodesPerFile: "AEGIS_POLICY_MAX_NODES_PER_FILE",
  maxTotalNodes: "AEGIS_POLICY_MAX_TOTAL_NODES",
});

/**
 * The defaults, each raised or lowered by its AEGIS_POLICY_MAX_* variable: a generated fleet
 * (the scale bench's 100k agents in one file) needs more than any hand-written policy set, and
 * the operator who builds it says so explicitly. A value that is not a positive integer throws.
 */
export function policyReadLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): PolicyReadLimits {
  const limits: Record<keyof PolicyReadLimits, number> = { ...DEFAULT_POLICY_READ_LIMITS };
  for (const key of Object.keys(LIMIT_ENV) as (keyof PolicyReadLimits)[]) {
    const raw = env[LIMIT_ENV[key]];
    if (raw === undefined || raw === "") continue;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new AegisError("AEGIS_ERR_USAGE", `${LIMIT_ENV[key]} must be a positive integer, got "${raw}"`);
    }
    limits[key] = value;
  }
  return Object.freeze(limits);
}
