// loadBundleSource on a fresh worker thread, for the server: reading, inflating, verifying and
// checking a bundle never blocks the event loop that answers checks, and a refused bundle's memory
// is released with the thread. A worker per load costs a few tens of milliseconds, next to
// nothing at reload rates.
import { Worker } from "node:worker_threads";
import { AegisError } from "../errors/registry.ts";
import type { LoadReply, LoadRequest, ServedLoadResult } from "./load-protocol.ts";
import type { LoadBundleOptions } from "./source.ts";

const WORKER_URL = new URL("./load-worker.ts", import.meta.url);

/**
 * The loader's own heap limit: room to parse the largest data.json the default limits let in
 * (256 MiB of JSON), and a bound that ends the worker, never the server, when exceeded.
 */
export const LOADER_HEAP_MB = 2048;

/** `stageDataJsonAt`: a file the loader writes a loaded bundle's raw data.json to (the server keeps it only compressed). */
export function loadBundleOffThread(source: string, options: LoadBundleOptions = {}, heapMb = LOADER_HEAP_MB, stageDataJsonAt?: string): Promise<ServedLoadResult> {
  return new Promise((resolve, reject) => {
    const request: LoadRequest = { source, options, ...(stageDataJsonAt === undefined ? {} : { stageDataJsonAt }) };
    const worker = new Worker(WORKER_URL, { workerData: request, resourceLimits: { maxOldGenerationSizeMb: heapMb } });
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    worker.once("message", (reply: LoadReply) => {
      settle(() => {
        if (reply.ok) resolve(reply.result);
        else reject(new AegisError(reply.code, reply.message, reply.details === undefined ? undefined : { details: { ...reply.details } }));
      });
    });
    // Out of memory, or a crash inside the loader: the worker dies, the server does not.
    worker.once("error", (err) => settle(() => reject(new AegisError("AEGIS_ERR_BUNDLE_READ", `bundle loader failed: ${err.message}`, { cause: err }))));
    worker.once("exit", (code) => settle(() => reject(new AegisError("AEGIS_ERR_BUNDLE_READ", `bundle loader exited with code ${code} before answering`))));
  });
}

