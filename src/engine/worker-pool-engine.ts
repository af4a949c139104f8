// N worker threads, one WASM instance each: opa-wasm evaluates synchronously and is not
// re-entrant, so using more than one core means one instance per thread.
import { Worker } from "node:worker_threads";
import { AegisError } from "../errors/registry.ts";
import type { Engine, EngineSource } from "./engine.ts";
import { encodeInput } from "./engine.ts";
import { compileWasm } from "./policy-instance.ts";
import type { WorkerInit, WorkerReady, WorkerReply } from "./worker-protocol.ts";

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: AegisError) => void;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

const WORKER_URL = new URL("./eval-worker.ts", import.meta.url);

export async function createWorkerPoolEngine(source: EngineSource, workers: number): Promise<Engine> {
  const module = compileWasm(source.wasm);
  const init: WorkerInit = { module, dataJson: source.dataJson };
  const pool = await Promise.all(Array.from({ length: workers }, () => startWorker(init)));
  let nextId = 1;
  let closed = false;

  return {
    revision: source.revision,
    loadedAt: new Date(),
    evaluate(input) {
      if (closed) return Promise.reject(new AegisError("AEGIS_ERR_NO_BUNDLE", "engine is closed"));
      const target = leastBusy(pool);
      const id = nextId++;
      return new Promise<unknown>((resolve, reject) => {
        target.pending.set(id, { resolve, reject });
        target.worker.postMessage({ id, input: encodeInput(input) });
      });
    },
    async close() {
      closed = true;
      await Promise.all(pool.map(async (w) => {
        await waitIdle(w);
        await w.worker.terminate();
      }));
    },
  };
}

function leastBusy(pool: readonly PoolWorker[]): PoolWorker {
  let best = pool[0] as PoolWorker;
  for (const w of pool) if (w.pending.size < best.pending.size) best = w;
  return best;
}

async function waitIdle(w: PoolWorker): Promise<void> {
  while (w.pending.size > 0) await new Promise((r) => setTimeout(r, 5));
}

function startWorker(init: WorkerInit): Promise<PoolWorker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: init });
    const pending = new Map<number, Pending>();
    const self: PoolWorker = { worker, pending };
    const failAll = (message: string) => {
      for (const p of pending.values()) p.reject(new AegisError("AEGIS_ERR_EVAL", message));
      pending.clear();
    };
    worker.once("message", (ready: WorkerReady) => {
      if (!ready.ready) {
        void worker.terminate();
        reject(new AegisError(ready.code, ready.message));
        return;
      }
      worker.on("message", (reply: WorkerReply) => {
        const p = pending.get(reply.id);
        if (p === undefined) return;
        pending.delete(reply.id);
        if (reply.ok) p.resolve(reply.value);
        else p.reject(new AegisError(reply.code, reply.message));
      });
      resolve(self);
    });
    worker.on("error", (err) => {
      failAll(`evaluation worker crashed: ${err.message}`);
      reject(new AegisError("AEGIS_ERR_WASM_LOAD", `evaluation worker failed: ${err.message}`, { cause: err }));
    });
    worker.on("exit", (code) => failAll(`evaluation worker exited with code ${code}`));
  });
}
