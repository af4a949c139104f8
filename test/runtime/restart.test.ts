// Nothing is lost when Aegis dies: with approvals pending, an approved override token not yet
// used and a budget partly spent, `aegis serve` is killed with SIGKILL (no drain, no flush) and
// started again on the same state. Every pending approval is still listed, the token still lets
// its call through once, and the spent budget still counts — on SQLite and on Redis.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HEADER } from "../../src/input/header-names.ts";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { connectCheckClient, type CheckClient } from "../support/grpc-check-client.ts";
import { startRedisServer, type RedisServer } from "../support/redis-server.ts";
import { approve, buildBundle, payment, pendingApprovals, serve, workDir, writeConfig } from "./runtime-harness.ts";

interface StateBackend {
  readonly name: string;
  /** The --state URL; the store outlives the Aegis process. */
  start(work: string): Promise<string>;
  stop(): Promise<void>;
}

const sqlite = (): StateBackend => ({ name: "SQLite", start: async (work) => `sqlite:${join(work, "state.db")}`, stop: async () => {} });

const redis = (): StateBackend => {
  let server: RedisServer | undefined;
  return {
    name: "Redis",
    async start() {
      server = await startRedisServer();
      return server.url;
    },
    stop: async () => server?.stop(),
  };
};

describe.each([sqlite(), redis()])("after SIGKILL and restart on $name state", (backend) => {
  let work: string;
  let bundle: string;
  let state: string;
  let config: string;
  let server: RunningAegisProcess | undefined;
  let client: CheckClient | undefined;

  beforeAll(async () => {
    work = workDir(`restart-${backend.name.toLowerCase()}`);
    bundle = buildBundle(work);
    state = await backend.start(work);
    config = writeConfig(work, "aegis");
  });

  afterAll(async () => {
    client?.close();
    await server?.stop();
    await backend.stop();
  });

  async function start(): Promise<CheckClient> {
    server = await serve({ bundle, state, config });
    client = connectCheckClient(server.grpcPort);
    return client;
  }

  it("finds every pending approval, the unused override token and the spent budget", async () => {
    let checks = await start();
    const first = server!;
    const pendingIds: string[] = [];
    for (const amount of [6000, 7000]) {
      const answer = await checks.check(payment(amount));
      expect(answer.body).toMatchObject({ error: "approval_pending" });
      pendingIds.push(answer.body.approval_id as string);
    }
    const approval = await checks.check(payment(8000));
    const token = await approve(first, approval.body.approval_id as string);
    for (let i = 0; i < 3; i++) expect((await checks.check(payment(4000))).kind).toBe("ok");
    const listedBefore = await pendingApprovals(first);
    expect(listedBefore.map((a) => a.id).sort()).toEqual([...pendingIds].sort());

    checks.close();
    await first.kill();
    expect(first.child.signalCode).toBe("SIGKILL");
    checks = await start();

    expect(await pendingApprovals(server!)).toEqual(listedBefore);
    // 12,000 was spent before the kill: the approved 8,000 fills the budget exactly.
    const redeemed = await checks.check(payment(8000, { [HEADER.overrideToken]: token }));
    expect(redeemed.kind).toBe("ok");
    expect(redeemed.headers[HEADER.budgetRemaining]).toBe("daily-spend=0");
    const overshoot = await checks.check(payment(100));
    expect(overshoot.body).toMatchObject({ error: "PolicyViolation", reason: "budget_exceeded" });
  });
});
