// The decision log as the check observer sees it: which outcomes it records, and where a record
// goes. Without a decision log it is NO_DECISION_RECORDER, which records nothing, so the observer
// builds no record for it and needs no null check.
import type { Outcome } from "../decision/types.ts";
import { AegisError } from "../errors/registry.ts";
import type { AppendResult, DecisionLog } from "../telemetry/decision-log/decision-log.ts";

export interface DecisionRecorder {
  /** Whether a decision with this outcome is written (include_allows decides for allows). */
  records(outcome: Outcome): boolean;
  /**
   * Appends a record; resolves to its chain hash, or null when it was dropped for lack of room.
   * Waits (FIFO) under overflow "block" and until it is on disk under durability "sync"; rejects
   * with AEGIS_ERR_DECISION_LOG under overflow "fail_closed" when there is no room.
   */
  record(record: object): Promise<string | null> | string | null;
}

export const NO_DECISION_RECORDER: DecisionRecorder = {
  records: () => false,
  record: () => null,
};

export function decisionRecorder(log: DecisionLog, includeAllows: boolean, onDropped: () => void): DecisionRecorder {
  const waits = log.overflow === "block" || log.durability === "sync";
  const settle = (result: AppendResult): string | null => {
    if (result.accepted) return result.hash;
    onDropped();
    if (log.overflow === "fail_closed") throw new AegisError("AEGIS_ERR_DECISION_LOG", "decision log cannot keep up (overflow: fail_closed)");
    return null;
  };
  return {
    records: (outcome) => includeAllows || outcome !== "allow",
    // Otherwise the check is answered at once, without waiting for the write.
    record: (record) => (waits ? log.appendAsync(record).then(settle) : settle(log.append(record))),
  };
}
