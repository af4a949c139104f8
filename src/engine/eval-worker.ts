// Worker thread body: owns one WASM instance and answers evaluation requests in order.
import { parentPort, workerData } from "node:worker_threads";
import { isAegisError } from "../errors/registry.ts";
import { createPolicyInstance } from "./policy-instance.ts";
import type { WorkerInit, WorkerReply, WorkerRequest } from "./worker-protocol.ts";

const init = workerData as WorkerInit;
const port = parentPort;
if (port === null) throw new Error("eval-worker must run in a worker thread");

try {
  const instance = createPolicyInstance(init.module);
  port.on("message", (request: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      reply = { id: request.id, ok: true, value: instance.evaluateJson(request.input, { id: request.dataId, json: request.data }) };
    } catch (err) {
      reply = {
        id: request.id,
        ok: false,
        code: isAegisError(err) ? err.code : "AEGIS_ERR_EVAL",
        message: err instanceof Error ? err.message : String(err),
      };
    }
    port.postMessage(reply);
  });
  port.postMessage({ ready: true });
} catch (err) {
  port.postMessage({ ready: false, code: isAegisError(err) ? err.code : "AEGIS_ERR_WASM_LOAD", message: err instanceof Error ? err.message : String(err) });
}
