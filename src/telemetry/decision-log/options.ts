// The writer's options, with defaults made explicit and checked once.
import { AegisError } from "../../errors/registry.ts";

/**
 * What append does when maxQueue records wait to be written:
 * - block: appendAsync waits for room (FIFO); the synchronous append never waits and enqueues
 *   past the bound, so block-mode callers should use appendAsync.
 * - drop_count: the record is refused (accepted:false), counted in stats().dropped, and the next
 *   checkpoint signs the number dropped since the previous one, so the loss is itself auditable.
 * - fail_closed: the record is refused (accepted:false) and counted in stats().rejected; the
 *   caller is expected to deny the request it could not log (and the next checkpoint counts it too).
 */
export type OverflowMode = "block" | "drop_count" | "fail_closed";

/**
 * When a decision counts as logged:
 * - buffered: once appended (sealed into the chain and queued); the background writer writes it
 *   within batch.maxDelayMs. A process killed in that window loses records it already answered.
 * - sync: appendAsync resolves only after the record's batch is written and fdatasync'd (group
 *   commit: every record queued while one batch is being flushed goes into the next batch, so one
 *   fsync covers many records). A failed write or fsync rejects the waiting appends
 *   (AEGIS_ERR_DECISION_LOG) while the records stay queued and are retried.
 */
export type Durability = "buffered" | "sync";

export type DecisionLogSinkOptions =
  | { readonly kind: "file"; readonly path: string; readonly maxBytes?: number; readonly maxFiles?: number }
  | { readonly kind: "stdout" };

export interface DecisionLogLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DecisionLogOptions {
  readonly sink: DecisionLogSinkOptions;
  /** Ed25519 PKCS8 PEM. Without it checkpoints are still written, unsigned (signature null). */
  readonly signingKeyPem?: string;
  /** A checkpoint after this many records; default 1000. */
  readonly checkpointEvery?: number;
  /** A checkpoint after this long when records arrived since the last one; default 60000, 0 turns it off. */
  readonly checkpointIntervalMs?: number;
  readonly batch: { readonly maxRecords: number; readonly maxDelayMs: number };
  readonly overflow: OverflowMode;
  /** Default buffered. */
  readonly durability?: Durability;
  /** Records waiting to be written before the overflow policy applies. */
  readonly maxQueue: number;
  readonly logger?: DecisionLogLogger;
  readonly now?: () => Date;
}

export const DEFAULT_CHECKPOINT_EVERY = 1000;
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 60_000;

function positiveInteger(value: number | undefined, name: string): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1)) {
    throw new AegisError("AEGIS_ERR_CONFIG_INVALID", `decision log option ${name} must be a positive integer, got ${value}`);
  }
}

export function checkDecisionLogOptions(options: DecisionLogOptions): void {
  positiveInteger(options.maxQueue, "maxQueue");
  positiveInteger(options.batch.maxRecords, "batch.maxRecords");
  positiveInteger(options.checkpointEvery, "checkpointEvery");
  if (!(options.batch.maxDelayMs >= 0)) throw new AegisError("AEGIS_ERR_CONFIG_INVALID", "decision log option batch.maxDelayMs must be >= 0");
  if (options.checkpointIntervalMs !== undefined && !(options.checkpointIntervalMs >= 0)) {
    throw new AegisError("AEGIS_ERR_CONFIG_INVALID", "decision log option checkpointIntervalMs must be >= 0");
  }
  if (!["block", "drop_count", "fail_closed"].includes(options.overflow)) {
    throw new AegisError("AEGIS_ERR_CONFIG_INVALID", `decision log option overflow must be block, drop_count or fail_closed, got ${String(options.overflow)}`);
  }
  if (options.durability !== undefined && !["buffered", "sync"].includes(options.durability)) {
    throw new AegisError("AEGIS_ERR_CONFIG_INVALID", `decision log option durability must be buffered or sync, got ${String(options.durability)}`);
  }
  if (options.sink.kind === "file") {
    positiveInteger(options.sink.maxBytes, "sink.maxBytes");
    positiveInteger(options.sink.maxFiles, "sink.maxFiles");
  }
}
