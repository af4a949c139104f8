// Standing approvals in the decision: which pre-approved pattern covers an approval_needed
// call, and the allow it becomes. Pure; the host consumes one use atomically in between.
import type { ParamBound, StandingApproval } from "../state/standing-approval-store.ts";
import type { Decision } from "./types.ts";

export interface StandingCall {
  readonly tenant: string;
  readonly agent: string;
  readonly tool: string;
  readonly action: string;
  readonly params: Readonly<Record<string, unknown>>;
}

const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

function asNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && PLAIN_DECIMAL.test(value)) return Number(value);
  return null;
}

/** Every bound holds; a bounded parameter that is missing, or of the wrong kind, fails it. */
export function withinBounds(bounds: readonly ParamBound[], params: Readonly<Record<string, unknown>>): boolean {
  for (const b of bounds) {
    if (!Object.hasOwn(params, b.param)) return false;
    const value = params[b.param];
    if (b.min !== undefined || b.max !== undefined) {
      const n = asNumber(value);
      if (n === null || (b.min !== undefined && n < b.min) || (b.max !== undefined && n > b.max)) return false;
    }
    if (b.in !== undefined) {
      const n = asNumber(value);
      const ok = b.in.some((allowed) => (typeof allowed === "number" ? n !== null && n === allowed : typeof value === "string" && value === allowed));
      if (!ok) return false;
    }
  }
  return true;
}

/** The active standing approvals that cover this call, oldest expiry first (use up what ends soonest). */
export function matchingStandingApprovals(candidates: readonly StandingApproval[], call: StandingCall): StandingApproval[] {
  return candidates
    .filter((s) => s.status === "active" && s.tenant === call.tenant && s.agent === call.agent && s.tool === call.tool && s.action === call.action && withinBounds(s.bounds, call.params))
    .sort((a, b) => a.expires_at.localeCompare(b.expires_at));
}

/** The approval_needed decision let through by standing approval `id`: allow, reason approved_standing, rule id = the id. */
export function applyStandingApproval(decision: Decision, id: string): Decision {
  return { ...decision, outcome: "allow", allow: true, reason: "approved_standing", rule_id: id, approval: null };
}
