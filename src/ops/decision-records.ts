// Reading the decision log back for the rollout tools (shadow report, replay, the console):
// JSON lines as `aegis serve` writes them, rotated files included (path.N … path.1, then path,
// oldest first). Only `type: "decision"` lines count; checkpoints and torn lines are skipped
// and counted, never guessed at.
import { existsSync, readFileSync } from "node:fs";
import { AegisError } from "../errors/registry.ts";

/** The fields of one logged decision the tools read (see decisionRecord in src/server/check-observer.ts). */
export interface LoggedDecision {
  readonly time: string;
  readonly decision_id: string;
  readonly tenant: string | null;
  readonly agent_id: string | null;
  readonly tool: string | null;
  readonly action: string | null;
  readonly policy_version: string;
  readonly decision: string;
  readonly enforced: string;
  readonly rule_id: string;
  readonly reason: string;
  readonly shadow?: string;
  readonly approval?: { readonly amount: number; readonly threshold: number; readonly hard_limit: number } | null;
  readonly estimated_cost?: number;
  readonly input?: LoggedInput;
}

export interface LoggedInput {
  readonly host: string;
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly call_chain?: { readonly parent: string | null; readonly depth: number; readonly verified: boolean; readonly error: string | null };
  readonly identity_source?: string;
  readonly port?: number | null;
  readonly scheme?: string;
  readonly truncated_body?: boolean;
  readonly unread_body?: boolean;
  readonly budgets?: Readonly<Record<string, { readonly spent: number }>>;
}

export interface ReadResult {
  readonly records: LoggedDecision[];
  /** Lines that were not JSON objects or lacked the decision fields. */
  readonly skipped: number;
}

/** Rotated files first (oldest first), then the live file. */
export function logFiles(path: string): string[] {
  if (!existsSync(path)) throw new AegisError("AEGIS_ERR_USAGE", `decision log ${path} does not exist`);
  const rotated: string[] = [];
  for (let i = 1; existsSync(`${path}.${i}`); i++) rotated.unshift(`${path}.${i}`);
  return [...rotated, path];
}

export function parseDecisionLines(text: string, since: number | null = null): ReadResult {
  const records: LoggedDecision[] = [];
  let skipped = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      skipped++;
      continue;
    }
    const r = value as Record<string, unknown>;
    if (r.type === "checkpoint") continue;
    if (r.type !== "decision" || typeof r.decision !== "string" || typeof r.time !== "string" || typeof r.rule_id !== "string") {
      skipped++;
      continue;
    }
    const at = Date.parse(r.time);
    if (since !== null && !(at >= since)) continue;
    records.push(r as unknown as LoggedDecision);
  }
  return { records, skipped };
}

export function readDecisionLog(path: string, since: number | null = null): ReadResult {
  const records: LoggedDecision[] = [];
  let skipped = 0;
  for (const file of logFiles(path)) {
    const part = parseDecisionLines(readFileSync(file, "utf8"), since);
    records.push(...part.records);
    skipped += part.skipped;
  }
  return { records, skipped };
}

const DURATION = /^(\d+)(m|h|d)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--since`: a duration back from now (`30m`, `24h`, `7d`) or an ISO 8601 time; epoch ms. */
export function parseSince(value: string, now: number): number {
  const m = DURATION.exec(value);
  if (m !== null) return now - Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  const at = Date.parse(value);
  if (!Number.isFinite(at) || !/^\d{4}-\d{2}-\d{2}/.test(value)) throw new AegisError("AEGIS_ERR_USAGE", `--since "${value}" is neither a duration (30m, 24h, 7d) nor an ISO 8601 time`);
  return at;
}
