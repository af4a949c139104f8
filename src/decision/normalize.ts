// Raw Rego value → typed Decision. Anything of another shape is an evaluation failure:
// the caller fails closed (a gRPC error) rather than guessing.
import { AegisError } from "../errors/registry.ts";
import {
  isDenyReason,
  NON_DENY_REASONS,
  OUTCOMES,
  type BudgetCharge,
  type Decision,
  type DenyReason,
  type Mode,
  type Outcome,
  type Reason,
  type Redactions,
} from "./types.ts";

const OUTCOME_SET: ReadonlySet<string> = new Set(OUTCOMES);
const NON_DENY_SET: ReadonlySet<string> = new Set(NON_DENY_REASONS);
const MODE_SET: ReadonlySet<string> = new Set(["enforce", "shadow"]);

export interface NormalizeContext {
  readonly decisionId: string;
  readonly policyVersion: string;
}

export function normalizeDecision(raw: unknown, ctx: NormalizeContext): Decision {
  const obj = record(raw, "decision");
  const outcome = member(obj.outcome, OUTCOME_SET, "outcome") as Outcome;
  const reason = reasonOf(obj.reason, "reason");
  const rule_id = str(obj.rule_id, "rule_id");
  const denyReasons = list(obj.deny_reasons ?? [], "deny_reasons").map((entry, i) => {
    const e = record(entry, `deny_reasons/${i}`);
    const at = `deny_reasons/${i}/reason`;
    const reason = str(e.reason, at);
    if (!isDenyReason(reason)) throw malformed(`${at} has unexpected value ${JSON.stringify(reason)}`);
    return { reason: reason as DenyReason, rule_id: str(e.rule_id, `deny_reasons/${i}/rule_id`) };
  });
  if ((outcome === "deny") !== isDenyReason(reason)) {
    throw malformed(`outcome ${outcome} does not go with reason ${reason}`);
  }
  return {
    decision_id: ctx.decisionId,
    outcome,
    allow: outcome === "allow" || outcome === "sanitize",
    reason,
    rule_id,
    policy_version: ctx.policyVersion,
    deny_reasons: denyReasons,
    mode: member(obj.mode ?? "enforce", MODE_SET, "mode") as Mode,
    redactions: redactions(obj.redactions),
    approval: approval(obj.approval, outcome),
    budget_charges: list(obj.budget_charges ?? [], "budget_charges").map(charge),
  };
}

function redactions(raw: unknown): Redactions {
  if (raw === undefined || raw === null) return { headers: [], query: [], params: [] };
  const r = record(raw, "redactions");
  return { headers: strings(r.headers ?? [], "redactions/headers"), query: strings(r.query ?? [], "redactions/query"), params: strings(r.params ?? [], "redactions/params") };
}

function reasonOf(raw: unknown, at: string): Reason {
  if (typeof raw !== "string" || !(NON_DENY_SET.has(raw) || isDenyReason(raw))) throw malformed(`${at} has unexpected value ${JSON.stringify(raw)}`);
  return raw as Reason;
}

function approval(raw: unknown, outcome: Outcome): Decision["approval"] {
  if (raw === undefined || raw === null) {
    if (outcome === "approval_needed") throw malformed("approval_needed without approval details");
    return null;
  }
  const a = record(raw, "approval");
  return { amount: num(a.amount, "approval/amount"), threshold: num(a.threshold, "approval/threshold"), hard_limit: num(a.hard_limit, "approval/hard_limit") };
}

function charge(raw: unknown, i: number): BudgetCharge {
  const c = record(raw, `budget_charges/${i}`);
  return {
    name: str(c.name, `budget_charges/${i}/name`),
    cost: num(c.cost, `budget_charges/${i}/cost`),
    limit: num(c.limit, `budget_charges/${i}/limit`),
    window_seconds: num(c.window_seconds, `budget_charges/${i}/window_seconds`),
    spent: num(c.spent, `budget_charges/${i}/spent`),
  };
}

function record(v: unknown, at: string): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw malformed(`${at} is not an object`);
  return v as Record<string, unknown>;
}
function list(v: unknown, at: string): unknown[] {
  if (!Array.isArray(v)) throw malformed(`${at} is not an array`);
  return v;
}
function str(v: unknown, at: string): string {
  if (typeof v !== "string") throw malformed(`${at} is not a string`);
  return v;
}
function strings(v: unknown, at: string): string[] {
  return list(v, at).map((s, i) => str(s, `${at}/${i}`));
}
function num(v: unknown, at: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw malformed(`${at} is not a finite number`);
  return v;
}
function member(v: unknown, allowed: ReadonlySet<string>, at: string): string {
  if (typeof v !== "string" || !allowed.has(v)) throw malformed(`${at} has unexpected value ${JSON.stringify(v)}`);
  return v;
}
function malformed(message: string): AegisError {
  return new AegisError("AEGIS_ERR_DECISION_MALFORMED", `malformed decision: ${message}`);
}
