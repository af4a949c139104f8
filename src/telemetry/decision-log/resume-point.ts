// Pure: reading where a chain left off from its last line, so a restarted writer continues it.
import { AegisError } from "../../errors/registry.ts";
import type { ChainPosition } from "./chain-builder.ts";

export interface ResumePoint {
  readonly position: ChainPosition;
  /** The last line is a close checkpoint: the previous writer shut down cleanly. */
  readonly closed: boolean;
  /** The last line is a rotate checkpoint (it must open the next file). */
  readonly rotated: boolean;
}

const HEX64 = /^[0-9a-f]{64}$/;

export function resumePointOf(lineText: string, file: string): ResumePoint {
  let line: unknown;
  try {
    line = JSON.parse(lineText);
  } catch {
    line = undefined;
  }
  const fields = typeof line === "object" && line !== null ? (line as Record<string, unknown>) : {};
  const { seq, hash, type, reason, hash_of_last_record: lastRecord } = fields;
  const isCheckpoint = type === "checkpoint";
  const lastRecordHash = isCheckpoint ? lastRecord : hash;
  if (!Number.isSafeInteger(seq) || typeof hash !== "string" || !HEX64.test(hash) || typeof lastRecordHash !== "string" || !HEX64.test(lastRecordHash)) {
    // Continuing after a line we cannot read would start a chain nobody can verify; refuse loudly instead.
    throw new AegisError("AEGIS_ERR_DECISION_LOG", `cannot continue the decision log: the last line of ${file} is not a decision log line`);
  }
  return {
    position: { seq: seq as number, lastHash: hash, lastRecordHash },
    closed: isCheckpoint && reason === "close",
    rotated: isCheckpoint && reason === "rotate",
  };
}
