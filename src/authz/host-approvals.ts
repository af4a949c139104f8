// The host's rules after evaluation, the I/O half (each change to the decision is a pure
// function in src/decision/), in the order that loses nothing: an approval_needed call with an
// override token (header or MCP params._meta), an identity redemption (`approvals.redeem:
// identity`) or a matching standing approval first reserves its budget charges (a lost budget
// race answers budget_exceeded and spends nothing), then redeems the token, the approved
// identical call, or one standing use; if none lets it through, the reservation is given back,
// and a refused token denies the call with its problem as the reason. In shadow mode the caller
// is let through whatever the policy said, so the call is charged like an allow.
import type { ApprovalsService } from "../approvals/approvals-service.ts";
import type { CallIdentity } from "../approvals/call-digest.ts";
import type { StandingApprovalsService } from "../approvals/standing-approvals.ts";
import { applyOverride } from "../decision/override.ts";
import { applyReservation, budgetRemaining } from "../decision/reservation.ts";
import { applyStandingApproval } from "../decision/standing-approval.ts";
import type { Decision, TokenDenyReason } from "../decision/types.ts";
import type { BudgetReservation } from "../state/budget-store.ts";
import type { TokenRedemption } from "../state/token-store.ts";
import type { BudgetStore } from "../state/budget-store.ts";
import { releaseCharges, reserveCharges, type BudgetOwner } from "./budget-counters.ts";
import type { AgentView } from "./policy-context.ts";

/** Redeems override tokens (ApprovalsService); the embedded SDK has none to redeem. */
export type OverrideTokens = Pick<ApprovalsService, "redeem" | "redeemApprovedCall">;
export type StandingUses = Pick<StandingApprovalsService, "candidates" | "consume">;

export interface HostRuleContext {
  readonly budgets: BudgetStore;
  readonly approvals: OverrideTokens;
  readonly standing: StandingUses | null;
  readonly owner: BudgetOwner | null;
  readonly agent: AgentView;
  readonly call: CallIdentity | null;
  readonly overrideToken: string | null;
  /** `approvals.redeem: identity`: the same identity's identical retry redeems its approval without a token. */
  readonly redeemByIdentity: boolean;
  readonly shadow: boolean;
  readonly now: number;
}

export interface HostRuleOutcome {
  readonly decision: Decision;
  readonly tokenRejection: TokenDenyReason | null;
  /** Budget left per name after this call's reservation; null when nothing was reserved. */
  readonly budgetRemaining: Record<string, number> | null;
}

export async function applyHostRules(ctx: HostRuleContext, decision: Decision): Promise<HostRuleOutcome> {
  const { budgets: store, owner, now } = ctx;
  const charges = decision.budget_charges;
  const budgets = ctx.agent.budgets;
  if (ctx.shadow) {
    // Let through whatever the policy said, so charged; the logged decision stays the policy's own
    // unless an allow lost the race.
    const reservation = await reserveCharges(store, owner, charges, now);
    return outcome(decision.allow && reservation !== null ? applyReservation(decision, reservation, budgets) : decision, null, remainingAfter(charges, reservation));
  }
  const call = ctx.call;
  if (decision.outcome !== "approval_needed" || call === null) {
    if (!decision.allow) return outcome(decision, null, null);
    const reservation = await reserveCharges(store, owner, charges, now);
    return outcome(reservation === null ? decision : applyReservation(decision, reservation, budgets), null, remainingAfter(charges, reservation));
  }

  const standing = ctx.standing === null ? [] : await ctx.standing.candidates(call);
  const byIdentity = ctx.overrideToken === null && ctx.redeemByIdentity;
  if (ctx.overrideToken === null && !byIdentity && standing.length === 0) return outcome(decision, null, null);

  const reservation = await reserveCharges(store, owner, charges, now);
  if (reservation !== null && !reservation.ok) return outcome(applyReservation(decision, reservation, budgets), null, null);
  const remaining = remainingAfter(charges, reservation);

  let redemption: TokenRedemption | null = null;
  if (ctx.overrideToken !== null) {
    redemption = await ctx.approvals.redeem(ctx.overrideToken, call);
    if (redemption === "redeemed") return outcome(applyOverride(decision, redemption), null, remaining);
  } else if (byIdentity && (await ctx.approvals.redeemApprovedCall(call))) {
    return outcome(applyOverride(decision, "redeemed"), null, remaining);
  }
  const tokenRejection = redemption === null ? null : (`override_token_${redemption}` as const);
  for (const candidate of standing) {
    if ((await ctx.standing?.consume(candidate.id)) === "consumed") return outcome(applyStandingApproval(decision, candidate.id), tokenRejection, remaining);
  }
  if (reservation !== null) await releaseCharges(store, owner, charges, now);
  return outcome(redemption === null ? decision : applyOverride(decision, redemption), tokenRejection, null);
}

function outcome(decision: Decision, tokenRejection: TokenDenyReason | null, remaining: Record<string, number> | null): HostRuleOutcome {
  return { decision, tokenRejection, budgetRemaining: remaining };
}

function remainingAfter(charges: Decision["budget_charges"], reservation: BudgetReservation | null): Record<string, number> | null {
  return reservation !== null && reservation.ok ? budgetRemaining(charges, reservation) : null;
}

/** No approvals were ever recorded, so no token redeems (the embedded SDK). */
export const NO_OVERRIDE_TOKENS: OverrideTokens = {
  redeem: async () => "unknown",
  redeemApprovedCall: async () => false,
};
