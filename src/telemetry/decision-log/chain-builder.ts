// The writer's chain state: assigns seq and prev_hash in append order and seals lines. Kept
// apart from I/O so the order of the chain is decided synchronously, on the caller's turn.
import { AegisError } from "../../errors/registry.ts";
import { CHAIN_FIELDS, GENESIS_HASH, sealLine, type SealedLine } from "./chain.ts";
import { buildCheckpoint, type CheckpointReason } from "./checkpoint.ts";
import type { CheckpointSigner } from "./signing-key.ts";

/** Where an existing chain left off. */
export interface ChainPosition {
  /** seq of the last record (0 when none). */
  readonly seq: number;
  /** hash of the last line, record or checkpoint. */
  readonly lastHash: string;
  readonly lastRecordHash: string;
}

export const GENESIS_POSITION: ChainPosition = { seq: 0, lastHash: GENESIS_HASH, lastRecordHash: GENESIS_HASH };

export interface ChainBuilder {
  record(fields: object): SealedLine;
  checkpoint(reason: CheckpointReason, extra?: Readonly<Record<string, unknown>>): SealedLine;
  /** Counts a record refused under drop_count; the next checkpoint reports (and signs) the number. */
  noteDropped(): void;
  readonly recordsSinceCheckpoint: number;
  readonly droppedSinceCheckpoint: number;
}

export function createChainBuilder(start: ChainPosition, signer: CheckpointSigner | undefined, now: () => Date): ChainBuilder {
  let { seq, lastHash, lastRecordHash } = start;
  let recordsSinceCheckpoint = 0;
  let droppedSinceCheckpoint = 0;

  return {
    record(fields) {
      if (typeof fields !== "object" || fields === null || Array.isArray(fields)) {
        throw new AegisError("AEGIS_ERR_DECISION_LOG", "a decision log record must be a JSON object");
      }
      for (const name of CHAIN_FIELDS) {
        if (Object.hasOwn(fields, name)) throw new AegisError("AEGIS_ERR_DECISION_LOG", `a decision log record may not set "${name}": the chain owns it`);
      }
      if ((fields as { type?: unknown }).type === "checkpoint") {
        throw new AegisError("AEGIS_ERR_DECISION_LOG", 'a decision log record may not have type "checkpoint"');
      }
      const sealed = sealLine({ ...fields, seq: seq + 1, prev_hash: lastHash });
      seq += 1;
      lastHash = sealed.hash;
      lastRecordHash = sealed.hash;
      recordsSinceCheckpoint += 1;
      return sealed;
    },
    checkpoint(reason, extra) {
      const sealed = buildCheckpoint(
        {
          reason,
          seq,
          prevHash: lastHash,
          hashOfLastRecord: lastRecordHash,
          recordsSinceLast: recordsSinceCheckpoint,
          droppedSinceLast: droppedSinceCheckpoint,
          signedAt: now(),
          ...(extra === undefined ? {} : { extra }),
        },
        signer,
      );
      lastHash = sealed.hash;
      recordsSinceCheckpoint = 0;
      droppedSinceCheckpoint = 0;
      return sealed;
    },
    noteDropped() {
      droppedSinceCheckpoint += 1;
    },
    get recordsSinceCheckpoint() {
      return recordsSinceCheckpoint;
    },
    get droppedSinceCheckpoint() {
      return droppedSinceCheckpoint;
    },
  };
}
