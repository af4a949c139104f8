// Budgets never overshoot under concurrency, whichever process answers: ten concurrent 5,000
// payments against the finance agent's 20,000 daily-spend budget give exactly four allows and six
// budget_exceeded denies — across two `aegis serve` replicas sharing one Redis, and in one
// process on SQLite. Each allow tells the agent what is left in x-aegis-budget-remaining.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { connectCheckClient, type CheckAnswer, type CheckClient } from "../support/grpc-check-client.ts";
import { startRedisServer, type RedisServer } from "../support/redis-server.ts";
import { buildBundle, metricValue, payment, serve, workDir, writeConfig } from "./runtime-harness.ts";

const BUDGET_RULE = "acme/finance-agent/budgets/daily-spend";

/** Ten 5,000 payments at once, the i-th through clients[i % clients.length]. */
async function tenConcurrentPayments(clients: readonly CheckClient[]): Promise<CheckAnswer[]> {
  return Promise.all(Array.from({ length: 10 }, (_, i) => clients[i % clients.length]!.check(payment(5000))));
}

function expectFourAllowsSixBudgetDenies(answers: readonly CheckAnswer[]): void {
  const allows = answers.filter((a) => a.kind === "ok");
  const denies = answers.filter((a) => a.kind === "denied");
  expect(allows).toHaveLength(4);
  expect(denies).toHaveLength(6);
  for (const deny of denies) {
    expect(deny.httpStatus).toBe("Forbidden");
    expect(deny.body).toMatchObject({ error: "PolicyViolation", reason: "budget_exceeded", rule_id: BUDGET_RULE });
  }
  // Each allow reserved its 5,000 atomically, so each saw a different remainder.
  expect(allows.map((a) => a.headers["x-aegis-budget-remaining"]).sort()).toEqual(["daily-spend=0", "daily-spend=10000", "daily-spend=15000", "daily-spend=5000"]);
}

async function expectBudgetExhausted(client: CheckClient): Promise<void> {
  const after = await client.check(payment(1));
  expect(after.kind).toBe("denied");
  expect(after.body).toMatchObject({ reason: "budget_exceeded" });
}

describe("budgets across two replicas sharing Redis", () => {
  let redis: RedisServer;
  let a: RunningAegisProcess;
  let b: RunningAegisProcess;
  let clients: CheckClient[];

  beforeAll(async () => {
    const work = workDir("budgets-redis");
    const bundle = buildBundle(work);
    redis = await startRedisServer();
    const config = writeConfig(work, "aegis");
    // allSettled: a replica that started is kept (and stopped by afterAll) even if the other failed.
    const started = await Promise.allSettled([serve({ bundle, state: redis.url, config }), serve({ bundle, state: redis.url, config })]);
    [a, b] = started.map((r) => (r.status === "fulfilled" ? r.value : undefined)) as [RunningAegisProcess, RunningAegisProcess];
    const failed = started.find((r) => r.status === "rejected");
    if (failed !== undefined) throw failed.reason;
    clients = [connectCheckClient(a.grpcPort), connectCheckClient(b.grpcPort)];
  });

  afterAll(async () => {
    for (const c of clients ?? []) c.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it("allows exactly four of ten concurrent 5,000 payments split over both processes, and denies six budget_exceeded", async () => {
    const answers = await tenConcurrentPayments(clients);
    expectFourAllowsSixBudgetDenies(answers);
    await expectBudgetExhausted(clients[0]!);
    await expectBudgetExhausted(clients[1]!);
    // Both replicas really decided: five payments and the probe each.
    expect(await metricValue(a, "aegis_decisions_total")).toBe(6);
    expect(await metricValue(b, "aegis_decisions_total")).toBe(6);
  });
});

describe("budgets in one process on SQLite", () => {
  let server: RunningAegisProcess;
  let client: CheckClient;

  beforeAll(async () => {
    const work = workDir("budgets-sqlite");
    const bundle = buildBundle(work);
    server = await serve({ bundle, state: `sqlite:${join(work, "state.db")}`, config: writeConfig(work, "aegis") });
    client = connectCheckClient(server.grpcPort);
  });

  afterAll(async () => {
    client?.close();
    await server?.stop();
  });

  it("allows exactly four of ten concurrent 5,000 payments and denies six budget_exceeded", async () => {
    expectFourAllowsSixBudgetDenies(await tenConcurrentPayments([client]));
    await expectBudgetExhausted(client);
  });
});
