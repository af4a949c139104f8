// The same attack through the gRPC surface of a running server (in this process, so the test can
// reach the worker pool): `engine.workers: 2`, a burst of concurrent Checks, one evaluation
// thread ended mid-burst the way a crash ends it. Every Check settles: answered, or failed closed
// with a gRPC INTERNAL error naming AEGIS_ERR_EVAL (SPEC §5: an evaluation failure is never an
// allow); none hangs. Checks after the death are answered, and the pool is back to two threads.
import { status as GrpcStatus, type ServiceError } from "@grpc/grpc-js";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openWorkerPools, type WorkerPoolEngine } from "../../src/engine/worker-pool-engine.ts";
import { startAegis, type RunningAegis } from "../../src/server/app.ts";
import { loadConfig } from "../../src/server/config.ts";
import { createLogger } from "../../src/telemetry/logger.ts";
import { connectCheckClient, type CheckClient } from "../support/grpc-check-client.ts";
import { buildBundle, payment, workDir } from "../runtime/runtime-harness.ts";

type Settled = { kind: "answered"; outcome: string } | { kind: "failed"; code: number; details: string } | { kind: "hung" };

function settle(client: CheckClient): Promise<Settled> {
  return Promise.race([
    client.check(payment(60_000)).then(
      (a): Settled => ({ kind: "answered", outcome: a.kind }),
      (err: ServiceError): Settled => ({ kind: "failed", code: err.code, details: err.details }),
    ),
    new Promise<Settled>((r) => setTimeout(r, 30_000, { kind: "hung" }).unref()),
  ]);
}

describe("a worker thread that dies under gRPC load", () => {
  let app: RunningAegis | undefined;
  let client: CheckClient | undefined;
  let pool: WorkerPoolEngine;

  beforeAll(async () => {
    const work = workDir("workers-grpc");
    const bundle = buildBundle(work);
    const config = loadConfig({
      flags: [
        { path: ["bundle", "source"], value: bundle },
        { path: ["engine", "workers"], value: 2 },
        { path: ["grpc", "addr"], value: "127.0.0.1:0" },
        { path: ["http", "addr"], value: "127.0.0.1:0" },
        { path: ["state"], value: `sqlite:${join(work, "state.db")}` },
        { path: ["identity", "trust_headers"], value: true },
        { path: ["approvals", "token_secret_file"], value: join(work, "override-token.key") },
        { path: ["log_level"], value: "silent" },
      ],
    });
    app = await startAegis({ config, logger: createLogger("silent") });
    client = connectCheckClient(app.grpcPort);
    const pools = openWorkerPools();
    expect(pools).toHaveLength(1);
    pool = pools[0]!;
  });

  afterAll(async () => {
    client?.close();
    await app?.stop();
  });

  it("fails the checks in flight on it closed, answers the later ones, and restores the pool", async () => {
    const c = client!;
    // End a worker right after it was handed its fifth evaluation of the burst, in the same turn,
    // so that evaluations are provably in flight on it when it goes.
    const victim = pool.workers()[0]!;
    const post = victim.postMessage.bind(victim);
    let handed = 0;
    victim.postMessage = (message: unknown) => {
      post(message);
      if (++handed === 5) void victim.terminate();
    };
    const burst = Array.from({ length: 300 }, () => settle(c));

    const outcomes = await Promise.all(burst);
    expect(outcomes.filter((o) => o.kind === "hung")).toEqual([]);
    expect(outcomes.filter((o) => o.kind === "failed").length).toBeGreaterThanOrEqual(1);
    for (const o of outcomes) {
      if (o.kind === "answered") expect(o.outcome).toBe("denied");
      else if (o.kind === "failed") {
        expect(o.code).toBe(GrpcStatus.INTERNAL);
        expect(o.details).toMatch(/^AEGIS_ERR_EVAL: evaluation worker exited/);
      }
    }
    expect(pool.workers()).not.toContain(victim);

    const later = await Promise.all(Array.from({ length: 50 }, () => settle(c)));
    expect(later.every((o) => o.kind === "answered" && o.outcome === "denied"), JSON.stringify(later.filter((o) => o.kind !== "answered"))).toBe(true);
    await pool.whenFull();
    expect(pool.workers()).toHaveLength(2);
    const afterRestore = await Promise.all(Array.from({ length: 50 }, () => settle(c)));
    expect(afterRestore.every((o) => o.kind === "answered")).toBe(true);
  });
});
