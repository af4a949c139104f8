// Standing approvals on real `aegis serve` processes: an approver pre-approves "finance-agent's
// payments up to 8000, 5 times"; a burst of matching approval_needed calls lets exactly 5
// through as allow / approved_standing (rule id = the standing approval's id), on SQLite and
// across two replicas sharing Redis; calls outside the bounds, other agents and calls after a
// revoke still wait for a human; every use is in the decision log.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { connectCheckClient, type CheckAnswer, type CheckClient } from "../support/grpc-check-client.ts";
import { startRedisServer, type RedisServer } from "../support/redis-server.ts";
import { checkRequest } from "../support/check-request-builder.ts";
import { aegis } from "../support/cli.ts";
import { ADMIN_TOKEN, buildBundle, eventually, identity, jsonLines, metricValue, payment, serve, workDir, writeConfig } from "../runtime/runtime-harness.ts";

function admin(server: RunningAegisProcess, path: string, method = "GET", body?: unknown): Promise<Response> {
  return fetch(`${server.adminUrl}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

async function createStanding(server: RunningAegisProcess, uses: number, bounds: unknown = ["amount <= 8000", "currency in eur, usd"]): Promise<string> {
  const res = await admin(server, "/v1/standing-approvals", "POST", { tenant: "acme", agent: "finance-agent", tool: "stripe-payments", action: "create_payment", bounds, uses, expires_in_seconds: 3600, created_by: "alice@acme" });
  const body = (await res.json()) as { standing_approval: { id: string } };
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body.standing_approval.id;
}

/** The example policies with a budget high enough that only the standing approval's count limits. */
function roomyBundle(work: string, name = "bundle", edit: (t: string) => string = (t) => t): string {
  return buildBundle(work, name, (policies) => {
    const file = join(policies, "finance-agent", "policy.yaml");
    writeFileSync(file, edit(readFileSync(file, "utf8").replace("limit: 20000", "limit: 10000000")));
  });
}

function expectExactly(answers: readonly CheckAnswer[], through: number, id: string): void {
  const ok = answers.filter((a) => a.kind === "ok");
  expect(ok).toHaveLength(through);
  for (const a of answers.filter((x) => x.kind === "denied")) expect(a.body).toMatchObject({ error: "approval_pending" });
  for (const a of ok) expect(a.headers["x-aegis-decision-id"]).toBeTruthy();
  expect(id).toMatch(/^sa_/);
}

describe("standing approvals on SQLite", () => {
  const work = workDir("standing");
  const log = join(work, "decisions.jsonl");
  let server: RunningAegisProcess;
  let client: CheckClient;

  beforeAll(async () => {
    server = await serve({ bundle: roomyBundle(work), state: `sqlite:${join(work, "state.db")}`, config: writeConfig(work, "aegis", { decision_log: { path: log, include_allows: true } }) });
    client = connectCheckClient(server.grpcPort);
  });
  afterAll(async () => {
    client?.close();
    await server?.stop();
  });

  it("lets exactly N of a burst of matching calls through, logs each use, and leaves the rest pending", async () => {
    const id = await createStanding(server, 5);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => client.check(payment(6000 + i))));
    expectExactly(answers, 5, id);
    const record = (await (await admin(server, `/v1/standing-approvals/${id}`)).json()) as { uses_left: number; status: string };
    expect(record).toMatchObject({ uses_left: 0, status: "exhausted" });

    const uses = await eventually(() => jsonLines(readFileSync(log, "utf8")).filter((r) => r.reason === "approved_standing"), (r) => r.length === 5, "5 uses in the decision log");
    for (const use of uses) expect(use).toMatchObject({ decision: "allow", enforced: "allow", rule_id: id, tool: "stripe-payments", estimated_cost: expect.any(Number) });
    expect(await metricValue(server, "aegis_decisions_total", { reason: "approved_standing" })).toBe(5);
  });

  it("does not cover calls outside its bounds, nor calls after a revoke", async () => {
    const id = await createStanding(server, 100, ["amount <= 8000", "currency in eur"]);
    expect((await client.check(payment(9000))).body).toMatchObject({ error: "approval_pending" });
    expect((await client.check(payment("7000.5"))).kind).toBe("ok");
    const usd = await client.check(checkRequest({
      method: "POST", host: "api.stripe.com", path: "/v1/payment_intents", headers: { ...identity("finance-agent"), "content-type": "application/json" },
      body: JSON.stringify({ amount: 6000, currency: "usd" }), contextExtensions: { tool: "stripe-payments", action: "create_payment" },
    }));
    expect(usd.body).toMatchObject({ error: "approval_pending" });
    const revoke = await admin(server, `/v1/standing-approvals/${id}/revoke`, "POST", { by: "bob@acme" });
    expect(revoke.status).toBe(200);
    expect((await client.check(payment(6000))).body).toMatchObject({ error: "approval_pending" });
    expect((await admin(server, `/v1/standing-approvals/${id}/revoke`, "POST", { by: "bob@acme" })).status).toBe(409);
    const list = (await (await admin(server, "/v1/standing-approvals?status=revoked")).json()) as { standing_approvals: { id: string; revoked_by: string }[] };
    expect(list.standing_approvals.find((s) => s.id === id)).toMatchObject({ revoked_by: "bob@acme" });
  });

  it("refuses malformed standing approvals and unauthenticated requests", async () => {
    const base = { tenant: "acme", agent: "finance-agent", tool: "stripe-payments", action: "create_payment", uses: 5, expires_in_seconds: 3600, created_by: "alice" };
    for (const bad of [{ ...base, uses: 0 }, { ...base, uses: "5" }, { ...base, expires_in_seconds: -1 }, { ...base, bounds: ["amount < 5"] }, { ...base, bounds: [{ param: "amount", max: 1, evil: 1 }] }, { ...base, tool: "" }]) {
      const res = await admin(server, "/v1/standing-approvals", "POST", bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await fetch(`${server.adminUrl}/v1/standing-approvals`)).status).toBe(401);
    expect((await fetch(`${server.adminUrl}/v1/standing-approvals`, { method: "POST", body: JSON.stringify(base) })).status).toBe(401);
  });

  it("batch-approves every pending approval matching a filter, one audit record each", async () => {
    const pending = await Promise.all([11000, 12000, 13000].map((a) => client.check(payment(a))));
    const ids = pending.map((p) => p.body.approval_id as string);
    expect((await admin(server, "/v1/approvals/batch", "POST", { decision: "approve", approver: "carol", filter: {} })).status).toBe(400);
    const res = await admin(server, "/v1/approvals/batch", "POST", { decision: "approve", approver: "carol", filter: { agent: "finance-agent", tool: "stripe-payments" } });
    const body = (await res.json()) as { resolved: { id: string; status: string; approver: string }[] };
    expect(res.status).toBe(200);
    expect(body.resolved.map((r) => r.id)).toEqual(expect.arrayContaining(ids));
    for (const r of body.resolved) expect(r).toMatchObject({ status: "approved", approver: "carol" });
    const audit = await eventually(() => jsonLines(server.logs()).filter((l) => l.msg === "approval resolved" && l.approver === "carol"), (l) => l.length >= ids.length, "an audit line per approval");
    expect(new Set(audit.map((l) => l.approval_id))).toEqual(new Set(body.resolved.map((r) => r.id)));
  });

  it("aegis standing and aegis approvals batch drive the same API from the command line", async () => {
    const opts = ["--server", server.adminUrl, "--admin-token", ADMIN_TOKEN];
    const created = aegis(["standing", "create", "--tenant", "acme", "--agent", "finance-agent", "--tool", "stripe-payments", "--action", "create_payment", "--bound", "amount<=6500", "--uses", "2", "--expires-in", "1h", "--by", "erin", ...opts]);
    expect(created.code, created.stderr).toBe(0);
    const id = /created (sa_[\w-]+)/.exec(created.stdout)?.[1] as string;
    expect(created.stdout).toContain("amount <= 6500  2/2 left");
    expect((await client.check(payment(6400))).kind).toBe("ok");
    expect(aegis(["standing", "list", "--status", "active", ...opts]).stdout).toContain(`${id}  active    acme/finance-agent  stripe-payments.create_payment  amount <= 6500  1/2 left`);
    expect(aegis(["standing", "revoke", id, "--by", "erin", ...opts]).stdout).toContain(`revoked ${id}  revoked`);
    expect(aegis(["standing", "revoke", id, "--by", "erin", ...opts]).code).toBe(1);

    await Promise.all([14000, 15000].map((a) => client.check(payment(a))));
    const denied = aegis(["approvals", "batch", "deny", "--approver", "dave", "--agent", "finance-agent", ...opts]);
    expect(denied.code, denied.stderr).toBe(0);
    expect(denied.stdout).toMatch(/^denied [2-9]\d* pending approvals/);
    const left = (await (await fetch(`${server.adminUrl}/v1/approvals?status=pending`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as { approvals: unknown[] };
    expect(left.approvals).toEqual([]);
  });
});

describe("standing approvals across two replicas sharing Redis", () => {
  const work = workDir("standing-redis");
  let redis: RedisServer;
  let a: RunningAegisProcess;
  let b: RunningAegisProcess;
  let clients: CheckClient[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    const bundle = roomyBundle(work);
    const config = writeConfig(work, "aegis");
    // One after the other, so a replica that fails to start never leaves the other running unowned.
    a = await serve({ bundle, state: redis.url, config });
    b = await serve({ bundle, state: redis.url, config });
    clients = [connectCheckClient(a.grpcPort), connectCheckClient(b.grpcPort)];
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    try {
      await Promise.all([a?.stop(), b?.stop()]);
    } finally {
      await redis?.stop();
    }
  });

  it("lets exactly 10 of 60 concurrent matching calls through, whichever replica answers", async () => {
    const id = await createStanding(a, 10);
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => clients[i % 2]!.check(payment(5500 + i))));
    expectExactly(answers, 10, id);
    const record = (await (await admin(b, `/v1/standing-approvals/${id}`)).json()) as { uses_left: number };
    expect(record.uses_left).toBe(0);
  });
});
