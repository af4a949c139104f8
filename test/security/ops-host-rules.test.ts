// The host's rules after evaluation, attacked through their ordering with a real SQLite store:
// a budget race lost after evaluation must not burn the override token or a standing use, a
// refused token must give its reservation back, and calls let through in shadow mode are charged.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApprovalsService } from "../../src/approvals/approvals-service.ts";
import { StandingApprovalsService } from "../../src/approvals/standing-approvals.ts";
import { applyHostRules, type HostRuleContext } from "../../src/authz/host-approvals.ts";
import { DEFAULT_APPROVALS, type AgentView } from "../../src/authz/policy-context.ts";
import type { Decision } from "../../src/decision/types.ts";
import { SqliteStateStore } from "../../src/state/sqlite/sqlite-state-store.ts";

const NOW = Date.parse("2030-01-15T10:00:00.000Z");
const call = { tenant: "acme", agent: "finance-agent", tool: "stripe-payments", action: "create_payment", method: "POST", host: "api.stripe.com", port: null, path: "/v1/payment_intents", params: { amount: 6000 }, headers: {} };
const owner = { tenant: "acme", agent: "finance-agent" };
const budgetWindow = { key: { ...owner, name: "daily-spend" }, windowSeconds: 86_400 };
const agent: AgentView = { budgets: [{ name: "daily-spend", tool: "stripe-payments", sum_param: "amount", limit: 20_000, window_seconds: 86_400, rule_id: "acme/finance-agent/budgets/daily-spend" }], approvals: DEFAULT_APPROVALS, sanitizedParams: new Set(), scheduleZones: [], mcpTools: new Set(), allowedActions: () => null, responseRule: () => null };

function needsApproval(spentSeenByRego: number): Decision {
  return {
    decision_id: "d1", outcome: "approval_needed", allow: false, reason: "approval_needed", rule_id: "acme/finance-agent/allowed_tools/stripe-payments/conditions/approval_threshold",
    policy_version: "r1", deny_reasons: [], mode: "enforce", redactions: { headers: [], query: [], params: [] }, approval: { amount: 6000, threshold: 5000, hard_limit: 50000 },
    budget_charges: [{ name: "daily-spend", cost: 6000, limit: 20_000, window_seconds: 86_400, spent: spentSeenByRego }],
  };
}

describe("host rules: token, standing approval and budget ordering", () => {
  let store: SqliteStateStore;
  let approvals: ApprovalsService;
  let standing: StandingApprovalsService;
  const ctx = (overrides: Partial<HostRuleContext>): HostRuleContext => ({ budgets: store.budgets, approvals, standing, owner, agent, call, overrideToken: null, redeemByIdentity: false, shadow: false, now: NOW, ...overrides });

  beforeEach(() => {
    store = SqliteStateStore.open(join(mkdtempSync(join(tmpdir(), "aegis-host-rules-")), "state.db"));
    approvals = new ApprovalsService({ store, tokenTtlSeconds: 600, tokenSecret: new Uint8Array(32).fill(7), now: () => NOW });
    standing = new StandingApprovalsService({ store: store.standing, now: () => NOW });
  });
  afterEach(() => store.close());

  async function approvedToken(): Promise<string> {
    const record = await approvals.request({ ...call, reason: "approval_needed", rule_id: "r", policy_version: "r1", params_preview: call.params, expires_in_seconds: 600, channels: ["api"] });
    return (await approvals.approve(record.id, "alice")).override_token;
  }

  /** Another call spends the budget after this one was evaluated (Rego saw 0 spent). */
  async function loseTheBudgetRace(): Promise<void> {
    expect((await store.budgets.reserveBudgets([{ ...budgetWindow, cost: 18_000, limit: 20_000 }], NOW)).ok).toBe(true);
  }

  it("a lost budget race answers budget_exceeded and leaves the override token unspent", async () => {
    const token = await approvedToken();
    await loseTheBudgetRace();
    const out = await applyHostRules(ctx({ overrideToken: token }), needsApproval(0));
    expect(out.decision).toMatchObject({ outcome: "deny", reason: "budget_exceeded", rule_id: "acme/finance-agent/budgets/daily-spend" });
    // The token still works for this call once the budget allows it (here: straight at the store).
    expect(await approvals.redeem(token, call)).toBe("redeemed");
    expect(await store.budgets.readBudgets([budgetWindow], NOW)).toEqual([18_000]);
  });

  it("a lost budget race leaves the standing approval's uses untouched", async () => {
    const s = await standing.create({ tenant: "acme", agent: "finance-agent", tool: "stripe-payments", action: "create_payment", bounds: [{ param: "amount", max: 8000 }], uses: 2, expiresAt: NOW + 3_600_000, createdBy: "alice" });
    await loseTheBudgetRace();
    const out = await applyHostRules(ctx({}), needsApproval(0));
    expect(out.decision.reason).toBe("budget_exceeded");
    expect((await standing.get(s.id))?.uses_left).toBe(2);
  });

  it("a redeemed token or a standing use is charged once; a refused token gives its reservation back", async () => {
    const token = await approvedToken();
    const redeemed = await applyHostRules(ctx({ overrideToken: token }), needsApproval(0));
    expect(redeemed.decision).toMatchObject({ outcome: "allow", reason: "approved_override" });
    expect(redeemed.budgetRemaining).toEqual({ "daily-spend": 14_000 });
    const reused = await applyHostRules(ctx({ overrideToken: token }), needsApproval(6000));
    // A spent token is named in a deny; it never silently asks for a new approval.
    expect(reused).toMatchObject({ decision: { outcome: "deny", reason: "override_token_used", rule_id: "aegis/override_token" }, tokenRejection: "override_token_used" });
    expect(await store.budgets.readBudgets([budgetWindow], NOW)).toEqual([6000]);

    const s = await standing.create({ tenant: "acme", agent: "finance-agent", tool: "stripe-payments", action: "create_payment", bounds: [], uses: 1, expiresAt: NOW + 3_600_000, createdBy: "alice" });
    expect((await applyHostRules(ctx({}), needsApproval(6000))).decision).toMatchObject({ outcome: "allow", reason: "approved_standing", rule_id: s.id });
    expect((await applyHostRules(ctx({}), needsApproval(12_000))).decision.outcome).toBe("approval_needed");
    expect(await store.budgets.readBudgets([budgetWindow], NOW)).toEqual([12_000]);
  });

  it("redeems by identity once (approvals.redeem: identity), charged once, and then asks again", async () => {
    await approvedToken();
    const first = await applyHostRules(ctx({ redeemByIdentity: true }), needsApproval(0));
    expect(first.decision).toMatchObject({ outcome: "allow", reason: "approved_override" });
    const second = await applyHostRules(ctx({ redeemByIdentity: true }), needsApproval(6000));
    expect(second.decision.outcome).toBe("approval_needed");
    expect(await store.budgets.readBudgets([budgetWindow], NOW)).toEqual([6000]);
  });

  it("charges a call let through in shadow mode, keeping the policy's own decision for the log", async () => {
    const out = await applyHostRules(ctx({ shadow: true }), needsApproval(0));
    expect(out.decision).toMatchObject({ outcome: "approval_needed", reason: "approval_needed" });
    expect(out.budgetRemaining).toEqual({ "daily-spend": 14_000 });
    expect(await store.budgets.readBudgets([budgetWindow], NOW)).toEqual([6000]);
  });
});
