// The console's "recent decisions": the tail of the live decision-log file, filtered. Only the
// last few MiB are read, so a large log costs a page view no more than that.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { parseDecisionLines, type LoggedDecision } from "../ops/decision-records.ts";

export const TAIL_BYTES = 4 * 1024 * 1024;

export interface DecisionFilter {
  readonly agent?: string;
  readonly tool?: string;
  readonly outcome?: string;
  readonly reason?: string;
}

/** Decision records from the last `maxBytes` of the file, oldest first; [] when the file is absent. */
export function tailDecisions(path: string, maxBytes = TAIL_BYTES): LoggedDecision[] {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return [];
  }
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    let text = buf.toString("utf8");
    // A tail that starts mid-line drops that partial line.
    if (start > 0) text = text.slice(text.indexOf("\n") + 1);
    return parseDecisionLines(text).records;
  } finally {
    closeSync(fd);
  }
}

export function filterDecisions(records: readonly LoggedDecision[], filter: DecisionFilter, limit = 200): LoggedDecision[] {
  const out: LoggedDecision[] = [];
  for (let i = records.length - 1; i >= 0 && out.length < limit; i--) {
    const r = records[i] as LoggedDecision;
    if (filter.agent !== undefined && r.agent_id !== filter.agent) continue;
    if (filter.tool !== undefined && r.tool !== filter.tool) continue;
    if (filter.outcome !== undefined && r.decision !== filter.outcome) continue;
    if (filter.reason !== undefined && r.reason !== filter.reason) continue;
    out.push(r);
  }
  return out;
}
