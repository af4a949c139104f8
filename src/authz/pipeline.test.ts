// The Check pipeline in process, table-driven like opa-envoy-plugin's TestCheck*: each case names
// a request, the state it starts from, and the outcome, reason and headers it must answer with.
// The bundle is the example policies (policies/examples) compiled by the real OPA; state is a
// real in-memory SQLite store. No `aegis serve` is spawned.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ApprovalsService } from "../approvals/approvals-service.ts";
import { StandingApprovalsService } from "../approvals/standing-approvals.ts";
import { buildBundle } from "../bundle/build.ts";
import { defaultRegoDir } from "../bundle/library-dir.ts";
import { compilePolicyDir } from "../bundle/policy-dir.ts";
import type { BundleContents } from "../bundle/read.ts";
import type { Decision, Outcome, Reason } from "../decision/types.ts";
import { EngineHolder } from "../engine/engine-holder.ts";
import { openBundleFile } from "../engine/open-bundle.ts";
import type { CheckRequest, CheckResponse } from "../grpc/ext-authz-types.ts";
import { createIdentityResolver } from "../identity/resolve-identity.ts";
import { HEADER } from "../input/header-names.ts";
import { buildCheckRequest } from "../sdk/build-check-request.ts";
import type { CheckCall } from "../sdk/types.ts";
import { SqliteStateStore } from "../state/sqlite/sqlite-state-store.ts";
import type { CheckEvent, CheckObserver } from "./check-event.ts";
import type { BudgetStore } from "../state/budget-store.ts";
import { createCheckPipeline, type CheckPipeline, type CheckPipelineDeps, type CheckResult, type DecidedCheck } from "./pipeline.ts";
import { createPolicyContext, type PolicyContext } from "./policy-context.ts";

const NOW = Date.parse("2030-01-15T10:00:00.000Z");
const FINANCE = { tenant: "acme", agent: "finance-agent" } as const;
const DOCS = { tenant: "acme", agent: "docs-agent" } as const;
const PLANNER = { tenant: "acme", agent: "planner" } as const;
type Identity = typeof FINANCE | typeof DOCS | typeof PLANNER;

const payment = (amount: number): CheckCall => ({ tool: "stripe-payments", action: "create_payment", host: "api.stripe.com", path: "/v1/payment_intents", params: { amount, currency: "usd" } });
const readDocument: CheckCall = {
  tool: "doc-store", action: "read_document", host: "wiki.docs.acme.internal", method: "GET", path: "/docs/handbook?lang=en",
  headers: { "x-api-key": "key-1" }, params: { id: "handbook", ssn: "078-05-1120" },
};
const DAILY_SPEND = { key: { ...FINANCE, name: "daily-spend" }, windowSeconds: 86_400 };

let dir: string;
let contents: BundleContents;
let holder: EngineHolder<PolicyContext>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "aegis-pipeline-"));
  const compiled = await compilePolicyDir("policies/examples", defaultRegoDir());
  if (!compiled.ok) throw new Error(`the example policies do not compile: ${JSON.stringify(compiled.problems)}`);
  const outFile = join(dir, "examples.tar.gz");
  await buildBundle({ data: compiled.data, regoDir: defaultRegoDir(), outFile, custom: compiled.custom });
  const opened = await openBundleFile(outFile);
  contents = opened.contents;
  holder = new EngineHolder<PolicyContext>();
  holder.swap(opened.engine, createPolicyContext(opened.engine.revision, contents));
}, 120_000);
afterAll(async () => {
  await holder?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh world per case: state, approvals, a clock, and an observer that keeps every event. */
interface World {
  readonly store: SqliteStateStore;
  readonly approvals: ApprovalsService;
  readonly standing: StandingApprovalsService;
  readonly events: CheckEvent[];
  readonly compared: DecidedCheck[];
  clock: number;
  pipeline(overrides?: Partial<CheckPipelineDeps>): CheckPipeline;
  /** The override token of an approved earlier ask for `call` (asked through the pipeline). */
  approvedToken(identity: Identity, call: CheckCall): Promise<string>;
}

function world(): World {
  const store = SqliteStateStore.open(":memory:");
  const w: World = {
    store,
    clock: NOW,
    events: [],
    compared: [],
    approvals: new ApprovalsService({ store, tokenTtlSeconds: 600, tokenSecret: new Uint8Array(32).fill(7), now: () => w.clock }),
    standing: new StandingApprovalsService({ store: store.standing, now: () => w.clock }),
    pipeline(overrides = {}) {
      return createCheckPipeline({
        decider: holder, identity: createIdentityResolver({ trustIdentityHeaders: true }), callChain: async () => ({ parent: null, depth: 0, verified: false, error: null }),
        budgets: store.budgets, approvals: w.approvals, tokens: w.approvals, standing: w.standing,
        limits: { maxBodyBytes: 65_536, maxParams: 256, maxDepth: 16 }, shadowGlobal: false,
        observer: recording(w.events), afterDecision: (check) => w.compared.push(check), now: () => w.clock,
        ...overrides,
      });
    },
    async approvedToken(identity, call) {
      await w.pipeline()(request(identity, call));
      const approvalId = w.events.at(-1)?.approval?.approval_id;
      if (approvalId === undefined) throw new Error("the call asked for no approval");
      return (await w.approvals.approve(approvalId, "alice")).override_token;
    },
  };
  return w;
}

function recording(events: CheckEvent[]): CheckObserver {
  return { begin: () => ({ end: (event) => void events.push(event), fail: () => undefined }) };
}

function request(identity: Identity, call: CheckCall, overrideToken?: string): CheckRequest {
  return buildCheckRequest(overrideToken === undefined ? call : { ...call, headers: { ...call.headers, [HEADER.overrideToken]: overrideToken } }, identity, "req-1");
}

function answeredHeaders(response: CheckResponse): Record<string, string> {
  const options = response.http_response === "ok_response" ? response.ok_response.headers : response.denied_response.headers;
  return Object.fromEntries(options.map((o) => [o.header!.key, o.header!.value]));
}

interface Case {
  readonly name: string;
  readonly identity: Identity;
  readonly call: CheckCall;
  /** State before the call; may return an override token to send. */
  readonly setup?: (w: World) => Promise<string | void>;
  readonly deps?: Partial<CheckPipelineDeps>;
  /** Replaces the request body (for requests that cannot be mapped to a policy input). */
  readonly rawBody?: string;
  readonly want: {
    readonly outcome: Outcome;
    readonly reason: Reason;
    readonly ruleId?: string;
    /** What Envoy is told: ok_response lets the call through. */
    readonly answer: "ok_response" | "denied_response";
    readonly headers?: Readonly<Record<string, string>>;
    /** The enforced bundle's own decision, when host rules changed it. */
    readonly policyReason?: Reason;
  };
  readonly after?: (w: World, result: CheckResult) => Promise<void> | void;
}

const CASES: readonly Case[] = [
  {
    name: "allow: a payment within the limit, charged to the daily budget",
    identity: FINANCE, call: payment(100),
    want: { outcome: "allow", reason: "within_limit", answer: "ok_response", headers: { [HEADER.budgetRemaining]: "daily-spend=19900" } },
  },
  {
    name: "deny: a tool the agent may not use",
    identity: PLANNER, call: payment(10),
    want: { outcome: "deny", reason: "tool_not_allowed", ruleId: "acme/planner/allowed_tools", answer: "denied_response" },
  },
  {
    name: "deny: a payment over the hard limit",
    identity: FINANCE, call: payment(60_000),
    want: { outcome: "deny", reason: "blocked_over_hard_limit", answer: "denied_response" },
  },
  {
    name: "sanitize: a document read with a sanitized parameter",
    identity: DOCS, call: readDocument,
    want: { outcome: "sanitize", reason: "sanitized", ruleId: "acme/docs-agent/allowed_tools/doc-store/sanitize", answer: "ok_response" },
  },
  {
    name: "approval_needed: a payment over the approval threshold, recorded as a pending approval",
    identity: FINANCE, call: payment(6000),
    want: { outcome: "approval_needed", reason: "approval_needed", answer: "denied_response" },
    after: async (w) => {
      const pending = await w.approvals.list({ status: "pending" });
      expect(pending).toHaveLength(1);
      expect(w.events.at(-1)?.approval?.approval_id).toBe(pending[0]?.id);
    },
  },
  {
    name: "invalid_request: a JSON body that is not an object never reaches the policy",
    identity: FINANCE, call: payment(100), rawBody: "[1,2]",
    want: { outcome: "deny", reason: "invalid_request", ruleId: "aegis/invalid_request", answer: "denied_response" },
    after: (w, result) => {
      expect(result.policyDecision).toBeNull();
      expect(w.events.at(-1)?.invalidReason).toBe("JSON request body is not an object");
      expect(w.compared).toEqual([]);
    },
  },
  {
    name: "shadow: a deny is logged as the policy's, and the call goes through",
    identity: PLANNER, call: payment(10), deps: { shadowGlobal: true },
    want: { outcome: "deny", reason: "tool_not_allowed", answer: "ok_response" },
    after: (w, result) => {
      expect(result.effectiveOutcome).toBe("allow");
      expect(w.events.at(-1)?.shadowedOutcome).toBe("would_deny");
    },
  },
  {
    name: "shadow: an approval_needed call asks nobody and goes through, charged",
    identity: FINANCE, call: payment(6000), deps: { shadowGlobal: true },
    want: { outcome: "approval_needed", reason: "approval_needed", answer: "ok_response", headers: { [HEADER.budgetRemaining]: "daily-spend=14000" } },
    after: async (w) => {
      expect(await w.approvals.list({ status: "pending" })).toEqual([]);
      expect(await w.store.budgets.readBudgets([DAILY_SPEND], w.clock)).toEqual([6000]);
    },
  },
  {
    name: "override token: the approved call goes through once, charged",
    identity: FINANCE, call: payment(6000), setup: (w) => w.approvedToken(FINANCE, payment(6000)),
    want: { outcome: "allow", reason: "approved_override", ruleId: "aegis/override_token", answer: "ok_response", headers: { [HEADER.budgetRemaining]: "daily-spend=14000" }, policyReason: "approval_needed" },
  },
  {
    name: "override token: a token for another call is refused",
    identity: FINANCE, call: payment(7000), setup: (w) => w.approvedToken(FINANCE, payment(6000)),
    want: { outcome: "deny", reason: "override_token_mismatch", ruleId: "aegis/override_token", answer: "denied_response", policyReason: "approval_needed" },
    after: async (w) => {
      expect(w.events.at(-1)?.tokenRejection).toBe("override_token_mismatch");
      // The refused call gave its reservation back.
      expect(await w.store.budgets.readBudgets([DAILY_SPEND], w.clock)).toEqual([0]);
    },
  },
  {
    name: "override token: a spent token is refused, never asking for a new approval",
    identity: FINANCE, call: payment(6000),
    setup: async (w) => {
      const token = await w.approvedToken(FINANCE, payment(6000));
      expect((await w.pipeline()(request(FINANCE, payment(6000), token))).decision.reason).toBe("approved_override");
      return token;
    },
    want: { outcome: "deny", reason: "override_token_used", ruleId: "aegis/override_token", answer: "denied_response", policyReason: "approval_needed" },
    after: async (w) => expect(await w.approvals.list({ status: "pending" })).toEqual([]),
  },
  {
    name: "override token: an expired token is refused",
    identity: FINANCE, call: payment(6000),
    setup: async (w) => {
      const token = await w.approvedToken(FINANCE, payment(6000));
      w.clock += 601_000;
      return token;
    },
    want: { outcome: "deny", reason: "override_token_expired", ruleId: "aegis/override_token", answer: "denied_response", policyReason: "approval_needed" },
  },
  {
    name: "standing approval: a covered approval_needed call goes through on one use",
    identity: FINANCE, call: payment(6000),
    setup: async (w) => {
      await w.standing.create({ ...FINANCE, tool: "stripe-payments", action: "create_payment", bounds: [{ param: "amount", max: 8000 }], uses: 1, expiresAt: w.clock + 3_600_000, createdBy: "alice" });
    },
    want: { outcome: "allow", reason: "approved_standing", answer: "ok_response", policyReason: "approval_needed" },
    after: async (w, result) => {
      expect((await w.standing.get(result.decision.rule_id))?.uses_left).toBe(0);
      expect(await w.approvals.list({ status: "pending" })).toEqual([]);
    },
  },
  {
    name: "standing approval: a call outside its bounds still needs a human",
    identity: FINANCE, call: payment(9000),
    setup: async (w) => {
      await w.standing.create({ ...FINANCE, tool: "stripe-payments", action: "create_payment", bounds: [{ param: "amount", max: 8000 }], uses: 1, expiresAt: w.clock + 3_600_000, createdBy: "alice" });
    },
    want: { outcome: "approval_needed", reason: "approval_needed", answer: "denied_response" },
  },
  {
    name: "budget: a call over what is left of the budget is denied by the policy",
    identity: FINANCE, call: payment(5000),
    setup: async (w) => {
      expect((await w.store.budgets.reserveBudgets([{ ...DAILY_SPEND, cost: 16_000, limit: 20_000 }], w.clock)).ok).toBe(true);
    },
    want: { outcome: "deny", reason: "budget_exceeded", ruleId: "acme/finance-agent/budgets/daily-spend", answer: "denied_response" },
  },
];

describe("the Check pipeline", () => {
  let w: World;
  beforeEach(() => {
    w = world();
    return () => w.store.close();
  });

  it.each(CASES)("$name", async (c) => {
    const token = await c.setup?.(w);
    const before = w.events.length;
    const req = request(c.identity, c.call, token ?? undefined);
    if (c.rawBody !== undefined) (req.attributes!.request!.http! as { raw_body: Uint8Array }).raw_body = Buffer.from(c.rawBody);
    const result = await w.pipeline(c.deps)(req);

    expect(result.decision).toMatchObject({ outcome: c.want.outcome, reason: c.want.reason, ...(c.want.ruleId === undefined ? {} : { rule_id: c.want.ruleId }) });
    expect(result.response.http_response).toBe(c.want.answer);
    const headers = answeredHeaders(result.response);
    expect(headers).toMatchObject({ [HEADER.decisionId]: result.decision.decision_id, ...c.want.headers });
    expect(result.decision.policy_version).toBe(contents.manifest.revision);
    // One decision flows out: the observer recorded exactly the answered one.
    expect(w.events).toHaveLength(before + 1);
    expect(w.events.at(-1)?.decision).toBe(result.decision);
    if (result.policyDecision !== null) {
      expect(result.policyDecision.reason).toBe(c.want.policyReason ?? c.want.reason);
      // The candidate comparator gets the enforced bundle's own decision, before host rules.
      expect(w.compared.at(-1)?.policyDecision).toBe(result.policyDecision);
    }
    await c.after?.(w, result);
  });

  it("hands the observer the call digest lazily: the approval's own digest, computed once, none without a call", async () => {
    await w.pipeline()(request(FINANCE, payment(100)));
    const event = w.events.at(-1)!;
    const digest = event.callDigest();
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(event.callDigest()).toBe(digest);
    // The approval recorded for the same call carries the same digest (it binds the override token).
    await w.pipeline()(request(FINANCE, payment(6000)));
    const asked = w.events.at(-1)!;
    const record = await w.store.approvals.getApproval(asked.approval!.approval_id, w.clock);
    expect(asked.callDigest()).toBe(record?.digest);
    const invalid = await w.pipeline()({ attributes: {} } as CheckRequest).catch(() => null);
    if (invalid !== null) expect(w.events.at(-1)!.callDigest()).toBeNull();
  });

  it("budget race: of two concurrent calls that each fit alone, one is allowed and the other denied budget_exceeded", async () => {
    expect((await w.store.budgets.reserveBudgets([{ ...DAILY_SPEND, cost: 16_000, limit: 20_000 }], w.clock)).ok).toBe(true);
    // Both calls read the counters (and so are evaluated on 16000 spent) before either reserves.
    let reads = 0;
    let bothRead!: () => void;
    const barrier = new Promise<void>((resolve) => (bothRead = resolve));
    const racing: BudgetStore = {
      readBudgets: async (windows, now) => {
        const spent = await w.store.budgets.readBudgets(windows, now);
        if (++reads === 2) bothRead();
        await barrier;
        return spent;
      },
      reserveBudgets: (charges, now) => w.store.budgets.reserveBudgets(charges, now),
      releaseBudgets: (charges, now) => w.store.budgets.releaseBudgets(charges, now),
    };
    const check = w.pipeline({ budgets: racing });
    const results = await Promise.all([check(request(FINANCE, payment(3000))), check(request(FINANCE, payment(3000)))]);

    const byOutcome = [...results].sort((a, b) => a.decision.outcome.localeCompare(b.decision.outcome));
    expect(byOutcome.map((r) => [r.decision.outcome, r.decision.reason])).toEqual([["allow", "within_limit"], ["deny", "budget_exceeded"]]);
    const lost = byOutcome[1]!;
    expect(lost.decision.rule_id).toBe("acme/finance-agent/budgets/daily-spend");
    expect(lost.response.http_response).toBe("denied_response");
    // The policy allowed both; the lost race is the host's, and what the observer saw is what was answered.
    expect(lost.policyDecision?.outcome).toBe("allow");
    expect(w.events.map((e) => e.decision).sort(byDecisionId)).toEqual(results.map((r) => r.decision).sort(byDecisionId));
    for (const r of results) expect(w.events.find((e) => e.decision.decision_id === r.decision.decision_id)?.decision).toBe(r.decision);
    expect(await w.store.budgets.readBudgets([DAILY_SPEND], w.clock)).toEqual([19_000]);
  });

  it("fails closed with an AegisError when no bundle is loaded, and tells the observer", async () => {
    const failures: string[] = [];
    const observer: CheckObserver = { begin: () => ({ end: () => undefined, fail: (err) => void failures.push(err.code) }) };
    const check = w.pipeline({ decider: new EngineHolder<PolicyContext>(), observer });
    await expect(check(request(FINANCE, payment(100)))).rejects.toMatchObject({ code: "AEGIS_ERR_NO_BUNDLE" });
    expect(failures).toEqual(["AEGIS_ERR_NO_BUNDLE"]);
  });
});

const byDecisionId = (a: Decision, b: Decision) => a.decision_id.localeCompare(b.decision_id);
