// Graceful drain of a real `aegis serve`: checks are held in flight by pausing the Redis they
// read budgets from (SIGSTOP), then Aegis gets SIGTERM. While draining it reports NOT_SERVING on
// grpc.health.v1 and 503 {draining: true} on /readyz; once Redis resumes, every in-flight check
// completes with its real answer and the process exits 0 well within the grace period.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServingStatus } from "../../src/grpc/ext-authz-types.ts";
import { AUTHORIZATION_SERVICE } from "../../src/server/grpc-server.ts";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { connectCheckClient, type CheckAnswer, type CheckClient } from "../support/grpc-check-client.ts";
import { startRedisServer, type RedisServer } from "../support/redis-server.ts";
import { buildBundle, eventually, payment, serve, workDir, writeConfig } from "./runtime-harness.ts";

const GRACE_MS = 8000;

let redis: RedisServer;
let redisPid: number;
let server: RunningAegisProcess;
let client: CheckClient;

beforeAll(async () => {
  const work = workDir("drain");
  redis = await startRedisServer();
  const info = new Redis(redis.url);
  try {
    redisPid = Number(/process_id:(\d+)/.exec(await info.info("server"))?.[1]);
  } finally {
    info.disconnect();
  }
  expect(redisPid).toBeGreaterThan(0);
  server = await serve({ bundle: buildBundle(work), state: redis.url, config: writeConfig(work, "aegis", { shutdown_grace_ms: GRACE_MS }) });
  client = connectCheckClient(server.grpcPort);
});

afterAll(async () => {
  // A stopped Redis would never act on the SIGTERM that stops it.
  if (redisPid > 0) process.kill(redisPid, "SIGCONT");
  client?.close();
  await server?.stop();
  await redis?.stop();
});

describe("SIGTERM while checks are in flight", () => {
  it("reports NOT_SERVING, completes the in-flight checks, and exits 0 within the grace period", async () => {
    expect(await client.health(AUTHORIZATION_SERVICE)).toBe("SERVING");
    expect((await client.check(payment(100))).kind).toBe("ok");
    const statuses: ServingStatus[] = [];
    const watch = client.watchHealth(AUTHORIZATION_SERVICE, (s) => statuses.push(s));
    await eventually(() => statuses.length, (n) => n > 0, "the first health status");

    process.kill(redisPid, "SIGSTOP");
    const settled: CheckAnswer[] = [];
    const inFlight = Array.from({ length: 5 }, () => client.check(payment(100)).then((a) => (settled.push(a), a)));
    await new Promise((r) => setTimeout(r, 300));
    expect(settled, "checks held by the paused Redis").toEqual([]);

    const sigtermAt = Date.now();
    const exited = server.stop();

    await eventually(() => statuses.at(-1), (s) => s === "NOT_SERVING", "NOT_SERVING on grpc.health.v1 Watch");
    // A client that has seen NOT_SERVING goes away; its stream must not hold the drain open.
    watch.cancel();
    const ready = await fetch(`${server.adminUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ready: false, draining: true });
    expect(settled, "checks still in flight while draining").toEqual([]);
    expect(server.child.exitCode).toBeNull();

    process.kill(redisPid, "SIGCONT");
    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a.kind)).toEqual(["ok", "ok", "ok", "ok", "ok"]);
    expect(answers.map((a) => a.headers["x-aegis-budget-remaining"]).sort()).toEqual(["daily-spend=19400", "daily-spend=19500", "daily-spend=19600", "daily-spend=19700", "daily-spend=19800"]);
    expect(await exited).toBe(0);
    expect(Date.now() - sigtermAt).toBeLessThan(GRACE_MS);
    expect(server.logs()).toContain('"msg":"stopped"');
  });
});
