// Worker thread body: loads one bundle with loadBundleSource and posts the result back, moving
// (not copying) the file buffers. Everything a hostile bundle can make expensive (inflating,
// parsing, hashing, schema checks) happens here, off the event loop that answers checks, and
// whatever it allocated goes away with the thread.
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { isAegisError } from "../errors/registry.ts";
import { compressDataBlocks, dataBlocksBuffers } from "./data-blocks.ts";
import { indexBuffers } from "./data-index.ts";
import type { LoadReply, LoadRequest, ServedContents, ServedLoadResult } from "./load-protocol.ts";
import { DATA_FILE, type BundleContents } from "./read.ts";
import { loadBundleSource } from "./source.ts";

const port = parentPort;
if (port === null) throw new Error("load-worker must run in a worker thread");
const { source, options, stageDataJsonAt } = workerData as LoadRequest;

// On a machine with few cores, a 100k-agent bundle keeps this thread busy for seconds; checks on
// the main thread must win the CPU. On Linux a nice value is per thread, and pid 0 names the
// calling thread only, so this lowers the loader alone. Elsewhere it may not apply: best effort.
try {
  setPriority(0, 10);
} catch {
  // Not permitted here: the load still runs, at normal priority.
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** What the server keeps of a checked bundle: data.json compressed, and no second copy of it in `files`. */
function served(contents: BundleContents): ServedContents {
  const { dataJson, dataIndex } = contents;
  const files = new Map(contents.files);
  files.delete(DATA_FILE);
  return {
    ...contents,
    files,
    // Hashed here, not by the bundle history on the event loop: ~100 ms for a 100 MB data.json.
    sha256: { wasm: sha256(contents.wasm), dataJson: sha256(dataJson) },
    dataJson: dataIndex.tenants === null ? dataJson : compressDataBlocks(dataJson, dataIndex),
  };
}

try {
  const loaded = await loadBundleSource(source, options);
  if (!("notModified" in loaded) && stageDataJsonAt !== undefined) await writeFile(stageDataJsonAt, loaded.contents.dataJson, { mode: 0o600 });
  const result: ServedLoadResult = "notModified" in loaded ? loaded : { ...loaded, contents: { ...served(loaded.contents), ...(stageDataJsonAt === undefined ? {} : { stagedDataJson: stageDataJsonAt }) } };
  const buffers = new Set<ArrayBuffer>();
  if (!("notModified" in result)) {
    const { dataJson } = result.contents;
    for (const bytes of [...result.contents.files.values(), result.contents.wasm]) {
      if (bytes.buffer instanceof ArrayBuffer) buffers.add(bytes.buffer);
    }
    for (const buffer of dataJson instanceof Uint8Array ? [dataJson.buffer as ArrayBuffer] : dataBlocksBuffers(dataJson)) buffers.add(buffer);
    for (const buffer of indexBuffers(result.contents.dataIndex)) buffers.add(buffer);
  }
  port.postMessage({ ok: true, result } satisfies LoadReply, [...buffers]);
} catch (err) {
  const reply: LoadReply = isAegisError(err)
    ? { ok: false, code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) }
    : { ok: false, code: "AEGIS_ERR_BUNDLE_READ", message: `bundle could not be loaded: ${err instanceof Error ? err.message : String(err)}` };
  port.postMessage(reply);
}
