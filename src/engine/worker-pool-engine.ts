// N worker threads, one WASM instance each: opa-wasm evaluates synchronously and is not
// re-entrant, so using more than one core means one instance per thread. A worker that dies
// (crash, OOM, exit) leaves the pool at once: its in-flight evaluations fail closed with
// AEGIS_ERR_EVAL and a replacement is started, so no check is ever sent to a dead thread.
import { Worker } from "node:worker_threads";
import { AegisError } from "../errors/registry.ts";
import type { Engine, EngineSource } from "./engine.ts";
import { encodeInput, slicerOf } from "./engine.ts";
import { compileWasm } from "./policy-instance.ts";
import type { WorkerInit, WorkerReady, WorkerReply, WorkerRequest } from "./worker-protocol.ts";

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: AegisError) => void;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

/** The pool as tests and diagnostics see it: the live threads, and a way to wait for a full pool. */
export interface WorkerPoolEngine extends Engine {
  /** The live worker threads (a dead one is gone from this list before its exit is handled further). */
  workers(): readonly Worker[];
  /** Evaluations sent to `worker` and not yet answered. */
  inFlight(worker: Worker): number;
  /** Resolves once the pool again has its configured number of live workers. */
  whenFull(): Promise<void>;
}

const WORKER_URL = new URL("./eval-worker.ts", import.meta.url);

// Every open pool of this process, for diagnostics and for tests that must reach the pool inside
// a running server (e.g. to end a worker thread the way a crash would).
const openPools = new Set<WorkerPoolEngine>();

export function openWorkerPools(): readonly WorkerPoolEngine[] {
  return [...openPools];
}
const RESTART_BACKOFF_MS = [0, 100, 500, 2000, 5000] as const;

export async function createWorkerPoolEngine(source: EngineSource, size: number): Promise<WorkerPoolEngine> {
  const module = await compileWasm(source.wasm);
  const init: WorkerInit = { module };
  const slicer = slicerOf(source);
  const pool: PoolWorker[] = [];
  let nextId = 1;
  let closed = false;
  // Evaluations that arrive while every worker is dead wait here for a replacement.
  let waitingForWorker: (() => void)[] = [];
  let fullWaiters: (() => void)[] = [];

  const onDeath = (dead: PoolWorker) => {
    const index = pool.indexOf(dead);
    if (index < 0) return;
    pool.splice(index, 1);
    if (!closed) void replace();
  };

  async function replace(): Promise<void> {
    for (let attempt = 0; !closed; attempt++) {
      await new Promise((r) => setTimeout(r, RESTART_BACKOFF_MS[Math.min(attempt, RESTART_BACKOFF_MS.length - 1)]));
      if (closed) return;
      try {
        const fresh = await startWorker(init, onDeath);
        if (closed) {
          await fresh.worker.terminate();
          return;
        }
        pool.push(fresh);
        for (const wake of waitingForWorker) wake();
        waitingForWorker = [];
        if (pool.length >= size) {
          for (const wake of fullWaiters) wake();
          fullWaiters = [];
        }
        return;
      } catch {
        // The module compiled once, so this is resource exhaustion: back off and try again.
      }
    }
  }

  pool.push(...(await Promise.all(Array.from({ length: size }, () => startWorker(init, onDeath)))));

  async function liveWorker(): Promise<PoolWorker> {
    while (pool.length === 0) {
      if (closed) throw new AegisError("AEGIS_ERR_NO_BUNDLE", "engine is closed");
      await new Promise<void>((resolve) => waitingForWorker.push(resolve));
    }
    return leastBusy(pool);
  }

  const engine: WorkerPoolEngine = {
    revision: source.revision,
    loadedAt: new Date(),
    async evaluate(input, inputJson) {
      if (closed) throw new AegisError("AEGIS_ERR_NO_BUNDLE", "engine is closed");
      const bytes = encodeInput(input, inputJson);
      const data = slicer.slice(input.tenant, input.agent);
      const target = pool.length > 0 ? leastBusy(pool) : await liveWorker();
      const id = nextId++;
      return new Promise<unknown>((resolve, reject) => {
        target.pending.set(id, { resolve, reject });
        target.worker.postMessage({ id, input: bytes, dataId: data.id, data: data.json } satisfies WorkerRequest);
      });
    },
    workers: () => pool.map((w) => w.worker),
    inFlight: (worker) => pool.find((w) => w.worker === worker)?.pending.size ?? 0,
    whenFull: () => (pool.length >= size ? Promise.resolve() : new Promise<void>((resolve) => fullWaiters.push(resolve))),
    async close() {
      closed = true;
      openPools.delete(engine);
      for (const wake of waitingForWorker) wake();
      waitingForWorker = [];
      await Promise.all([...pool].map(async (w) => {
        await waitIdle(w);
        await w.worker.terminate();
      }));
    },
  };
  openPools.add(engine);
  return engine;
}

function leastBusy(pool: readonly PoolWorker[]): PoolWorker {
  let best = pool[0] as PoolWorker;
  for (const w of pool) if (w.pending.size < best.pending.size) best = w;
  return best;
}

async function waitIdle(w: PoolWorker): Promise<void> {
  while (w.pending.size > 0) await new Promise((r) => setTimeout(r, 5));
}

/**
 * Starts one worker and resolves once its WASM instance is ready. After that, the first of
 * "error" or "exit" fails every evaluation in flight on it and reports the death, once.
 */
function startWorker(init: WorkerInit, onDeath: (dead: PoolWorker) => void): Promise<PoolWorker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: init });
    const pending = new Map<number, Pending>();
    const self: PoolWorker = { worker, pending };
    let ready = false;
    let dead = false;
    const die = (why: string, cause?: unknown) => {
      if (dead) return;
      dead = true;
      const failure = new AegisError("AEGIS_ERR_EVAL", `evaluation worker ${why}; the check fails closed`, cause === undefined ? undefined : { cause });
      for (const p of pending.values()) p.reject(failure);
      pending.clear();
      if (ready) onDeath(self);
      else reject(new AegisError("AEGIS_ERR_WASM_LOAD", `evaluation worker failed to start: ${why}`, cause === undefined ? undefined : { cause }));
    };
    worker.once("message", (hello: WorkerReady) => {
      if (!hello.ready) {
        dead = true;
        void worker.terminate();
        reject(new AegisError(hello.code, hello.message));
        return;
      }
      worker.on("message", (reply: WorkerReply) => {
        const p = pending.get(reply.id);
        if (p === undefined) return;
        pending.delete(reply.id);
        if (reply.ok) p.resolve(reply.value);
        else p.reject(new AegisError(reply.code, reply.message));
      });
      ready = true;
      resolve(self);
    });
    worker.on("error", (err) => die(`crashed: ${err.message}`, err));
    worker.on("exit", (code) => die(`exited with code ${code}`));
  });
}
