// One-time override tokens, redeemed by real `aegis serve` processes: after a human approves an
// approval_needed call, the token lets exactly that call through exactly once, even when 100
// retries race across two replicas sharing Redis (and in one process on SQLite). A token on a
// different call, an expired token and a reused token are refused, and each refusal is logged.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HEADER } from "../../src/input/header-names.ts";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { connectCheckClient, type CheckAnswer, type CheckClient } from "../support/grpc-check-client.ts";
import { startRedisServer, type RedisServer } from "../support/redis-server.ts";
import { approve, buildBundle, eventually, logLines, payment, serve, workDir, writeConfig } from "./runtime-harness.ts";

const withToken = (token: string) => ({ [HEADER.overrideToken]: token });

/** The example policies with a daily budget high enough that the approved payments never exhaust it. */
function bundleWithoutBudgetPressure(work: string): string {
  return buildBundle(work, "bundle", (policies) => {
    const file = join(policies, "finance-agent", "policy.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("limit: 20000", "limit: 10000000"));
  });
}

/** An approval_needed payment, recorded and approved; resolves the override token. */
async function approvedPayment(client: CheckClient, approver: RunningAegisProcess, amount: number): Promise<string> {
  const pending = await client.check(payment(amount));
  expect(pending.kind).toBe("denied");
  expect(pending.body).toMatchObject({ error: "approval_pending", reason: "approval_needed" });
  return approve(approver, pending.body.approval_id as string);
}

/** 100 retries with the token at once, the i-th through clients[i % clients.length]. */
async function hundredRetries(clients: readonly CheckClient[], amount: number, token: string): Promise<CheckAnswer[]> {
  return Promise.all(Array.from({ length: 100 }, (_, i) => clients[i % clients.length]!.check(payment(amount, withToken(token)))));
}

function expectExactlyOneThrough(answers: readonly CheckAnswer[]): void {
  const through = answers.filter((a) => a.kind === "ok");
  expect(through).toHaveLength(1);
  // Aegis consumes the token; the tool never sees it.
  expect(through[0]?.headersToRemove).toContain(HEADER.overrideToken);
  for (const refused of answers.filter((a) => a.kind === "denied")) expect(refused.body).toMatchObject({ error: "PolicyViolation", reason: "override_token_used" });
}

function rejections(servers: readonly RunningAegisProcess[], reason: string): number {
  return servers.flatMap((s) => logLines(s, "override token rejected")).filter((l) => l.reason === reason).length;
}

/** Waits until the processes have logged at least `count` rejections for `reason`. */
function expectRejectionsLogged(servers: readonly RunningAegisProcess[], reason: string, count: number): Promise<number> {
  return eventually(() => rejections(servers, reason), (n) => n >= count, `${count} "${reason}" rejections in the logs`);
}

describe("override tokens across two replicas sharing Redis", () => {
  let redis: RedisServer;
  let a: RunningAegisProcess;
  let b: RunningAegisProcess;
  let clientA: CheckClient;
  let clientB: CheckClient;

  beforeAll(async () => {
    const work = workDir("tokens-redis");
    const bundle = bundleWithoutBudgetPressure(work);
    redis = await startRedisServer();
    // Same token secret; B mints short-lived tokens, so the expiry case needs no third process.
    const [configA, configB] = [writeConfig(work, "a", { approvals: { token_ttl_seconds: 120 } }), writeConfig(work, "b", { approvals: { token_ttl_seconds: 1 } })];
    [a, b] = await Promise.all([serve({ bundle, state: redis.url, config: configA }), serve({ bundle, state: redis.url, config: configB })]);
    [clientA, clientB] = [connectCheckClient(a.grpcPort), connectCheckClient(b.grpcPort)];
  });

  afterAll(async () => {
    clientA?.close();
    clientB?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it("lets exactly one of 100 concurrent retries through, spread over both processes, and logs the 99 reuses", async () => {
    const token = await approvedPayment(clientA, a, 7000);
    expectExactlyOneThrough(await hundredRetries([clientA, clientB], 7000, token));
    expect(await expectRejectionsLogged([a, b], "override_token_used", 99)).toBe(99);
  });

  it("refuses a reused token on either replica", async () => {
    const token = await approvedPayment(clientB, a, 7100);
    expect((await clientB.check(payment(7100, withToken(token)))).kind).toBe("ok");
    const before = rejections([a, b], "override_token_used");
    for (const client of [clientA, clientB]) {
      const reuse = await client.check(payment(7100, withToken(token)));
      expect(reuse.kind).toBe("denied");
      // Named, not a silent new approval.
      expect(reuse.body).toMatchObject({ error: "PolicyViolation", reason: "override_token_used", rule_id: "aegis/override_token" });
    }
    await expectRejectionsLogged([a, b], "override_token_used", before + 2);
  });

  it("refuses the token on a different call, logs it, and still honours it for its own call", async () => {
    const token = await approvedPayment(clientA, a, 7200);
    const other = await clientB.check(payment(7201, withToken(token)));
    expect(other.kind).toBe("denied");
    expect(other.body).toMatchObject({ error: "PolicyViolation", reason: "override_token_mismatch" });
    await expectRejectionsLogged([b], "override_token_mismatch", 1);
    expect((await clientA.check(payment(7200, withToken(token)))).kind).toBe("ok");
  });

  it("refuses an expired token and logs it", async () => {
    // Approved through B, whose tokens live one second.
    const token = await approvedPayment(clientA, b, 7300);
    await new Promise((r) => setTimeout(r, 1500));
    const late = await clientA.check(payment(7300, withToken(token)));
    expect(late.kind).toBe("denied");
    expect(late.body).toMatchObject({ error: "PolicyViolation", reason: "override_token_expired" });
    await expectRejectionsLogged([a], "override_token_expired", 1);
  });
});

describe("override tokens in one process on SQLite", () => {
  let server: RunningAegisProcess;
  let client: CheckClient;

  beforeAll(async () => {
    const work = workDir("tokens-sqlite");
    server = await serve({ bundle: bundleWithoutBudgetPressure(work), state: `sqlite:${join(work, "state.db")}`, config: writeConfig(work, "aegis") });
    client = connectCheckClient(server.grpcPort);
  });

  afterAll(async () => {
    client?.close();
    await server?.stop();
  });

  it("lets exactly one of 100 concurrent retries through and refuses the rest as reused", async () => {
    const token = await approvedPayment(client, server, 7000);
    expectExactlyOneThrough(await hundredRetries([client], 7000, token));
    expect(await expectRejectionsLogged([server], "override_token_used", 99)).toBe(99);
  });

  it("refuses the token on a different call and logs it", async () => {
    const token = await approvedPayment(client, server, 8000);
    expect((await client.check(payment(8001, withToken(token)))).kind).toBe("denied");
    await expectRejectionsLogged([server], "override_token_mismatch", 1);
  });
});
