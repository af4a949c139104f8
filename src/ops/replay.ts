// `aegis replay`: re-decides logged calls with a candidate bundle and groups where it would
// have decided otherwise, by rule. Inputs are taken as logged; what the log could not keep
// (masked values, calls that never became an input) is counted and named, not guessed.
import type { Decision } from "../decision/types.ts";
import { completeInput } from "../input/complete-input.ts";
import type { IdentitySource, PolicyInput } from "../input/types.ts";
import { REDACTED_VALUE } from "../authz/mask-params.ts";
import type { LoggedDecision } from "./decision-records.ts";

/** A host-made outcome (override token, standing approval) is compared as the policy's own: approval_needed. */
const HOST_APPROVALS: ReadonlySet<string> = new Set(["approved_override", "approved_standing"]);

export interface Divergence {
  readonly from: { readonly outcome: string; readonly reason: string; readonly rule_id: string };
  readonly to: { readonly outcome: string; readonly reason: string; readonly rule_id: string };
  readonly calls: number;
  /** Up to five decision ids, to look the calls up in the log. */
  readonly examples: readonly string[];
}

export interface ReplayResult {
  readonly candidate_revision: string;
  readonly replayed: number;
  readonly same: number;
  readonly divergences: readonly Divergence[];
  /** Logged calls without an input (invalid requests): nothing to re-decide. */
  readonly not_replayable: number;
  /** Parameter names whose values were masked in the log, with how many replayed calls had them masked. */
  readonly masked_params: Readonly<Record<string, number>>;
  /** Input fields older log lines lack (replayed with neutral defaults), with counts. */
  readonly missing_fields: Readonly<Record<string, number>>;
}

export type Decide = (input: PolicyInput) => Promise<Decision>;

const OPTIONAL_FIELDS = ["port", "scheme", "truncated_body", "budgets", "call_chain", "identity_source"] as const;

/** The policy input a logged decision was made on, as far as the log kept it; null when it kept none. */
export function inputOf(record: LoggedDecision): { input: PolicyInput; masked: string[]; missing: string[] } | null {
  const logged = record.input;
  if (logged === undefined || logged === null || record.tenant === null) return null;
  const masked = Object.entries(logged.params ?? {}).filter(([, v]) => containsMasked(v)).map(([k]) => k);
  const missing = OPTIONAL_FIELDS.filter((f) => logged[f] === undefined);
  const input = completeInput({
    tenant: record.tenant, agent: record.agent_id, tool: record.tool, action: record.action,
    params: logged.params ?? {}, host: logged.host, method: logged.method, path: logged.path,
    ...(logged.identity_source === undefined ? {} : { identity_source: logged.identity_source as IdentitySource }),
    ...(logged.call_chain === undefined ? {} : { call_chain: logged.call_chain }),
    ...(logged.port === undefined ? {} : { port: logged.port }),
    ...(logged.scheme === undefined ? {} : { scheme: logged.scheme }),
    ...(logged.truncated_body === undefined ? {} : { truncated_body: logged.truncated_body }),
    ...(logged.unread_body === true ? { unread_body: true } : {}),
    ...(logged.budgets === undefined ? {} : { budgets: logged.budgets }),
  });
  return { input, masked, missing };
}

function containsMasked(value: unknown): boolean {
  if (value === REDACTED_VALUE) return true;
  if (Array.isArray(value)) return value.some(containsMasked);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsMasked);
  return false;
}

function loggedOutcome(r: LoggedDecision): Divergence["from"] {
  if (HOST_APPROVALS.has(r.reason)) return { outcome: "approval_needed", reason: "approval_needed", rule_id: "(approved by a human)" };
  return { outcome: r.decision, reason: r.reason, rule_id: r.rule_id };
}

export async function replay(records: readonly LoggedDecision[], decide: Decide, candidateRevision: string): Promise<ReplayResult> {
  const groups = new Map<string, { from: Divergence["from"]; to: Divergence["to"]; calls: number; examples: string[] }>();
  const masked: Record<string, number> = {};
  const missing: Record<string, number> = {};
  let replayed = 0;
  let same = 0;
  let notReplayable = 0;
  for (const record of records) {
    const made = inputOf(record);
    if (made === null) {
      notReplayable++;
      continue;
    }
    for (const name of made.masked) masked[name] = (masked[name] ?? 0) + 1;
    for (const name of made.missing) missing[name] = (missing[name] ?? 0) + 1;
    const decision = await decide(made.input);
    replayed++;
    const from = loggedOutcome(record);
    // Host-approved calls compare on the outcome alone: their rule id was the host's, not the policy's.
    const approvedByHuman = HOST_APPROVALS.has(record.reason);
    const to = { outcome: decision.outcome, reason: decision.reason, rule_id: decision.rule_id };
    if (from.outcome === to.outcome && (approvedByHuman || (from.reason === to.reason && from.rule_id === to.rule_id))) {
      same++;
      continue;
    }
    const key = JSON.stringify([from, to]);
    const group = groups.get(key) ?? { from, to, calls: 0, examples: [] };
    group.calls++;
    if (group.examples.length < 5) group.examples.push(record.decision_id);
    groups.set(key, group);
  }
  return {
    candidate_revision: candidateRevision, replayed, same, not_replayable: notReplayable, masked_params: masked, missing_fields: missing,
    divergences: [...groups.values()].sort((a, b) => b.calls - a.calls || a.from.rule_id.localeCompare(b.from.rule_id)),
  };
}

export function replayText(result: ReplayResult): string {
  const out: string[] = [];
  out.push(`replayed ${result.replayed} logged calls against candidate ${result.candidate_revision}: ${result.same} decided the same, ${result.replayed - result.same} differently`);
  if (result.not_replayable > 0) out.push(`${result.not_replayable} logged calls had no input (invalid requests) and were not replayed`);
  for (const [name, n] of Object.entries(result.masked_params)) out.push(`parameter "${name}" was masked in ${n} logged calls: replayed as "${REDACTED_VALUE}", so rules reading it may differ`);
  for (const [name, n] of Object.entries(result.missing_fields)) out.push(`input field "${name}" is not in ${n} logged calls: replayed with its neutral default`);
  out.push("", "divergences by rule:");
  if (result.divergences.length === 0) out.push("  (none)");
  for (const d of result.divergences) {
    out.push(`  ${String(d.calls).padStart(6)}  ${d.from.outcome} (${d.from.rule_id}, ${d.from.reason}) → ${d.to.outcome} (${d.to.rule_id}, ${d.to.reason})  e.g. ${d.examples.join(", ")}`);
  }
  return `${out.join("\n")}\n`;
}
