// `aegis shadow report`: what a policy did, or would have done in shadow mode, to real traffic.
// Pure: logged decisions in, a report value out (the CLI prints it as text, or as HTML with charts).
import type { LoggedDecision } from "./decision-records.ts";
import { histogram, numericValue, percentile, type Bin } from "./stats.ts";

export interface CallKey {
  readonly tenant: string;
  readonly agent: string;
  readonly tool: string;
  readonly action: string;
}

/** Calls of one agent/tool/action that one rule denied or sent to approval. */
export interface RuleRow extends CallKey {
  readonly rule_id: string;
  readonly reason: string;
  readonly outcome: "deny" | "approval_needed";
  readonly calls: number;
  /** Of those, how many were let through because the policy (or the server) ran in shadow mode. */
  readonly shadow_calls: number;
}

export interface ParamStats extends CallKey {
  readonly param: string;
  readonly count: number;
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly histogram: readonly Bin[];
}

/** Where a higher approval threshold would have halved an agent's approvals (never above its hard limit). */
export interface ThresholdSuggestion extends CallKey {
  readonly rule_id: string;
  readonly approvals: number;
  readonly current_threshold: number | null;
  readonly suggested_threshold: number;
  readonly approvals_after: number;
}

export interface ShadowReport {
  readonly from: string | null;
  readonly to: string | null;
  readonly decisions: number;
  readonly by_outcome: Readonly<Record<string, number>>;
  readonly calls: readonly (CallKey & { readonly total: number })[];
  readonly rules: readonly RuleRow[];
  readonly params: readonly ParamStats[];
  readonly suggestions: readonly ThresholdSuggestion[];
}

const NONE = "-";

function keyOf(r: LoggedDecision): CallKey {
  return { tenant: r.tenant ?? NONE, agent: r.agent_id ?? NONE, tool: r.tool ?? NONE, action: r.action ?? NONE };
}

function keyText(k: CallKey): string {
  return `${k.tenant}\u0000${k.agent}\u0000${k.tool}\u0000${k.action}`;
}

/** The amount an approval was judged on: the logged approval facts, else the `amount` parameter. */
function approvalAmount(r: LoggedDecision): number | null {
  if (r.approval != null && Number.isFinite(r.approval.amount)) return r.approval.amount;
  return numericValue(r.input?.params.amount);
}

export function buildShadowReport(records: readonly LoggedDecision[]): ShadowReport {
  const byOutcome: Record<string, number> = {};
  const calls = new Map<string, CallKey & { total: number }>();
  const rules = new Map<string, { -readonly [K in keyof RuleRow]: RuleRow[K] }>();
  const values = new Map<string, { key: CallKey; param: string; values: number[] }>();
  const approvals = new Map<string, { key: CallKey; rule_id: string; amounts: number[]; threshold: number | null; hardLimit: number | null }>();
  let from: string | null = null;
  let to: string | null = null;

  for (const r of records) {
    byOutcome[r.decision] = (byOutcome[r.decision] ?? 0) + 1;
    if (from === null || r.time < from) from = r.time;
    if (to === null || r.time > to) to = r.time;
    const key = keyOf(r);
    const kt = keyText(key);
    const call = calls.get(kt) ?? { ...key, total: 0 };
    call.total++;
    calls.set(kt, call);

    if (r.decision === "deny" || r.decision === "approval_needed") {
      const rk = `${kt}\u0000${r.rule_id}\u0000${r.decision}`;
      const row = rules.get(rk) ?? { ...key, rule_id: r.rule_id, reason: r.reason, outcome: r.decision, calls: 0, shadow_calls: 0 };
      row.calls++;
      if (r.enforced === "allow") row.shadow_calls++;
      rules.set(rk, row);
    }
    if (r.decision === "approval_needed") {
      const amount = approvalAmount(r);
      const ak = `${kt}\u0000${r.rule_id}`;
      const entry = approvals.get(ak) ?? { key, rule_id: r.rule_id, amounts: [], threshold: null, hardLimit: null };
      if (amount !== null) entry.amounts.push(amount);
      if (r.approval != null) {
        entry.threshold = r.approval.threshold;
        entry.hardLimit = r.approval.hard_limit;
      }
      approvals.set(ak, entry);
    }
    for (const [param, raw] of Object.entries(r.input?.params ?? {})) {
      const n = numericValue(raw);
      if (n === null) continue;
      const vk = `${kt}\u0000${param}`;
      const entry = values.get(vk) ?? { key, param, values: [] };
      entry.values.push(n);
      values.set(vk, entry);
    }
  }

  const params: ParamStats[] = [...values.values()].map(({ key, param, values: vs }) => {
    const sorted = [...vs].sort((a, b) => a - b);
    return {
      ...key, param, count: sorted.length, min: sorted[0] as number, p50: percentile(sorted, 50), p90: percentile(sorted, 90),
      p99: percentile(sorted, 99), max: sorted[sorted.length - 1] as number, histogram: histogram(sorted),
    };
  });

  const suggestions: ThresholdSuggestion[] = [];
  for (const a of approvals.values()) {
    const suggestion = suggestThreshold(a.amounts, a.hardLimit);
    if (suggestion === null) continue;
    suggestions.push({ ...a.key, rule_id: a.rule_id, approvals: a.amounts.length, current_threshold: a.threshold, ...suggestion });
  }

  const byKey = (x: CallKey, y: CallKey) => keyText(x).localeCompare(keyText(y));
  return {
    from, to, decisions: records.length, by_outcome: byOutcome,
    calls: [...calls.values()].sort(byKey),
    rules: [...rules.values()].sort((x, y) => y.calls - x.calls || byKey(x, y)),
    params: params.sort((x, y) => byKey(x, y) || x.param.localeCompare(y.param)),
    suggestions: suggestions.sort(byKey),
  };
}

/**
 * The lowest threshold that lets at least half of these approvals through: the amount at rank
 * ceil(n/2). Calls at or below a threshold are allowed, so at most floor(n/2) remain.
 */
export function suggestThreshold(amounts: readonly number[], hardLimit: number | null): { suggested_threshold: number; approvals_after: number } | null {
  if (amounts.length < 2) return null;
  const sorted = [...amounts].sort((a, b) => a - b);
  let threshold = sorted[Math.ceil(sorted.length / 2) - 1] as number;
  if (hardLimit !== null && threshold > hardLimit) threshold = hardLimit;
  const after = sorted.filter((v) => v > threshold).length;
  if (after * 2 > sorted.length) return null;
  return { suggested_threshold: threshold, approvals_after: after };
}
