// The host's rules after evaluation, in the order that loses nothing: an approval_needed call
// with an override token (header or MCP params._meta), an identity redemption
// (`approvals.redeem: identity`) or a matching standing approval first reserves its budget
// charges (a lost budget race answers budget_exceeded and spends nothing), then redeems the
// token, the approved identical call, or one standing use; if none lets it through, the
// reservation is given back, and a refused token denies the call with its problem as the
// reason. In shadow mode the caller is let through whatever the policy said, so the call is
// charged like an allow.
import type { ApprovalsService } from "../approvals/approvals-service.ts";
import type { CallIdentity } from "../approvals/call-digest.ts";
import type { StandingApprovalsService } from "../approvals/standing-approvals.ts";
import { applyOverrideToken, applyStandingApproval, refuseOverrideToken } from "../decision/standing-approval.ts";
import { BUILTIN_RULE_IDS, type Decision, type TokenDenyReason } from "../decision/types.ts";
import type { BudgetStore } from "../state/budget-store.ts";
import { reserveBudgetCharges, type BudgetOwner } from "./budget-counters.ts";
import type { AgentView } from "./policy-context.ts";

export interface HostRuleContext {
  readonly budgets: BudgetStore;
  readonly approvals: ApprovalsService;
  readonly standing: StandingApprovalsService | null;
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
  readonly tokenRejection: string | null;
  readonly budgetRemaining: Record<string, number> | undefined;
}

const asAllow = (d: Decision): Decision => ({ ...d, outcome: "allow", allow: true });

export async function applyHostRules(ctx: HostRuleContext, decision: Decision): Promise<HostRuleOutcome> {
  const { budgets, owner, agent, now } = ctx;
  if (ctx.shadow && !decision.allow) {
    // Let through in shadow mode: charged, but the logged decision stays the policy's own.
    const charged = await reserveBudgetCharges(budgets, owner, agent, asAllow(decision), now);
    return { decision, tokenRejection: null, budgetRemaining: charged.decision.allow ? charged.budgetRemaining : undefined };
  }
  const call = ctx.call;
  if (ctx.shadow || decision.outcome !== "approval_needed" || call === null) {
    const reserved = await reserveBudgetCharges(budgets, owner, agent, decision, now);
    return { decision: reserved.decision, tokenRejection: null, budgetRemaining: reserved.budgetRemaining };
  }

  const standing = ctx.standing === null ? [] : await ctx.standing.candidates(call);
  const byIdentity = ctx.overrideToken === null && ctx.redeemByIdentity;
  if (ctx.overrideToken === null && !byIdentity && standing.length === 0) return { decision, tokenRejection: null, budgetRemaining: undefined };

  const reserved = await reserveBudgetCharges(budgets, owner, agent, asAllow(decision), now);
  if (!reserved.decision.allow) return { decision: reserved.decision, tokenRejection: null, budgetRemaining: undefined };

  let tokenRejection: TokenDenyReason | null = null;
  if (ctx.overrideToken !== null) {
    const redemption = await ctx.approvals.redeem(ctx.overrideToken, call);
    if (redemption === "redeemed") return { decision: applyOverrideToken(decision, BUILTIN_RULE_IDS.override_token), tokenRejection: null, budgetRemaining: reserved.budgetRemaining };
    tokenRejection = `override_token_${redemption}`;
  } else if (byIdentity && (await ctx.approvals.redeemApprovedCall(call))) {
    return { decision: applyOverrideToken(decision, BUILTIN_RULE_IDS.override_token), tokenRejection: null, budgetRemaining: reserved.budgetRemaining };
  }
  for (const candidate of standing) {
    if ((await ctx.standing?.consume(candidate.id)) === "consumed") {
      return { decision: applyStandingApproval(decision, candidate.id), tokenRejection, budgetRemaining: reserved.budgetRemaining };
    }
  }
  if (owner !== null && decision.budget_charges.length > 0) {
    await budgets.releaseBudgets(decision.budget_charges.map((c) => ({ key: { tenant: owner.tenant, agent: owner.agent, name: c.name }, windowSeconds: c.window_seconds, cost: c.cost, limit: c.limit })), now);
  }
  return { decision: tokenRejection === null ? decision : refuseOverrideToken(decision, tokenRejection, BUILTIN_RULE_IDS.override_token), tokenRejection, budgetRemaining: undefined };
}
