// Attack: an evaluation worker thread dies (crash, OOM kill of the thread, exit) under load. Before
// the fix it stayed in the pool with 0 pending and so was preferred: every check sent to it later
// never settled. Now the dead thread leaves the pool at once, the evaluations in flight on it fail
// closed (AEGIS_ERR_EVAL, which the Check handler answers as a gRPC error), later evaluations
// succeed, and a replacement restores the pool's size. The thread is killed with
// Worker.terminate() through the pool's diagnostic view, the same abrupt end a crashing thread has.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createWorkerPoolEngine, type WorkerPoolEngine } from "../../src/engine/worker-pool-engine.ts";
import { isAegisError } from "../../src/errors/registry.ts";
import type { PolicyInput } from "../../src/input/types.ts";
import { buildWasm, type RawWasmBuild } from "../support/opa.ts";

// Slow on purpose for large n, so evaluations are provably still running when the thread dies.
const REGO = `package aegis

decision := {"outcome": "allow", "reason": "allowed", "n": count([x | some x in numbers.range(1, input.params.n)])}
`;

/** Settles with the value or the error, or with "hung" if the evaluation never settles. */
function settle(promise: Promise<unknown>, timeoutMs = 60_000): Promise<{ ok: true; value: unknown } | { ok: false; err: unknown } | "hung"> {
  return Promise.race([
    promise.then((value) => ({ ok: true as const, value }), (err: unknown) => ({ ok: false as const, err })),
    new Promise<"hung">((r) => setTimeout(r, timeoutMs, "hung").unref()),
  ]);
}

function input(n: number): PolicyInput {
  return {
    tenant: "t", agent: "a", identity_source: "header", tool: "x", action: "y", params: { n },
    host: "h", method: "POST", path: "/", truncated_body: false,
    call_chain: { parent: null, depth: 0, verified: false, error: null }, budgets: {},
  };
}

let build: RawWasmBuild;
beforeAll(async () => {
  build = await buildWasm({ "p.rego": REGO }, {}, ["aegis/decision"]);
});

describe("a worker thread that dies under load", () => {
  let engine: WorkerPoolEngine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  it("fails its in-flight evaluations closed, is replaced, and later evaluations succeed", async () => {
    engine = await createWorkerPoolEngine({ revision: "r", wasm: build.wasm, dataJson: build.dataJson }, 2);
    expect(engine.workers()).toHaveLength(2);

    // Four slow evaluations spread over both workers (least busy first), then one thread dies.
    const inFlight = Array.from({ length: 4 }, () => settle(engine!.evaluate(input(2_000_000))));
    const victim = engine.workers()[0]!;
    expect(engine.inFlight(victim)).toBe(2);
    await victim.terminate();

    const outcomes = await Promise.all(inFlight);
    expect(outcomes).not.toContain("hung");
    const failed = outcomes.filter((o) => o !== "hung" && !o.ok);
    // Exactly the two evaluations that were on the dead thread fail, and closed: AEGIS_ERR_EVAL.
    expect(failed).toHaveLength(2);
    for (const f of failed) {
      const err = (f as { err: unknown }).err;
      expect(isAegisError(err) && err.code, String(err)).toBe("AEGIS_ERR_EVAL");
    }
    expect(engine.workers()).not.toContain(victim);

    // Checks sent right after the death go to live threads; none waits on the dead one.
    const later = await Promise.all(Array.from({ length: 20 }, (_, i) => settle(engine!.evaluate(input(i + 1)))));
    for (const [i, o] of later.entries()) expect(o).toEqual({ ok: true, value: { outcome: "allow", reason: "allowed", n: i + 1 } });

    await engine.whenFull();
    expect(engine.workers()).toHaveLength(2);
    const afterRestore = await Promise.all(Array.from({ length: 20 }, () => settle(engine!.evaluate(input(3)))));
    for (const o of afterRestore) expect(o).toMatchObject({ ok: true });
  });

  it("with a single worker, evaluations arriving while it is dead wait for the replacement", async () => {
    engine = await createWorkerPoolEngine({ revision: "r", wasm: build.wasm, dataJson: build.dataJson }, 1);
    const [only] = engine.workers();
    const doomed = settle(engine.evaluate(input(2_000_000)));
    await only!.terminate();
    const next = settle(engine.evaluate(input(5)));
    expect(await doomed).toMatchObject({ ok: false });
    expect(await next).toEqual({ ok: true, value: { outcome: "allow", reason: "allowed", n: 5 } });
    await engine.whenFull();
    expect(engine.workers()).toHaveLength(1);
    expect(engine.workers()[0]).not.toBe(only);
  });
});
