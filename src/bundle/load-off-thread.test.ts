// The server's loader thread: the same answers as loadBundleSource, refusals with their code and
// ETag, and a loader that runs out of memory fails the load, not the process.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fakeBundle, MINIMAL_DATA_JSON, tempDir } from "../../test/bundle/helpers.ts";
import { AegisError } from "../errors/registry.ts";
import { blockReader, isDataBlocks } from "./data-blocks.ts";
import { loadBundleOffThread } from "./load-off-thread.ts";
import type { ServedLoadResult } from "./load-protocol.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function refusal(promise: Promise<unknown>): Promise<AegisError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AegisError) return err;
    throw err;
  }
  throw new Error("loaded");
}

describe("loadBundleOffThread", () => {
  it("loads a bundle on a worker and hands back its files, data.json compressed and not among them, then notModified for its ETag", async () => {
    const path = join(tmp.dir, "ok.tar.gz");
    writeFileSync(path, fakeBundle({ "data.json": MINIMAL_DATA_JSON }));
    const loaded = (await loadBundleOffThread(path)) as Exclude<ServedLoadResult, { notModified: true }>;
    expect(loaded.contents.manifest.revision).toBe("r1");
    const { dataJson } = loaded.contents;
    if (!isDataBlocks(dataJson)) throw new Error("data.json of the Aegis shape should arrive compressed");
    expect(new TextDecoder().decode(blockReader(dataJson).read(0, dataJson.byteLength))).toBe(MINIMAL_DATA_JSON);
    expect(loaded.contents.files.has("data.json")).toBe(false);
    expect(loaded.contents.wasm).toBeInstanceOf(Uint8Array);
    expect(loaded.contents.files.get("policy.wasm")).toEqual(loaded.contents.wasm);
    expect(await loadBundleOffThread(path, { etag: loaded.etag as string })).toEqual({ notModified: true });
  });

  it("rejects with the loader's code, message and the refused bundle's ETag", async () => {
    const path = join(tmp.dir, "bad-data.tar.gz");
    writeFileSync(path, fakeBundle());
    const err = await refusal(loadBundleOffThread(path));
    expect(err.code).toBe("AEGIS_ERR_BUNDLE_DATA_INVALID");
    expect(err.details?.etag).toMatch(/^"sha256-/);
  });

  it("fails the load, not the process, when the loader runs out of heap", async () => {
    // ~10 MB of data.json: a million small objects, far more than a 16 MB heap holds once parsed.
    const data = `{"aegis_meta":{"format":1},"tenants":{},"padding":[${Array.from({ length: 1_000_000 }, (_, i) => `{"i":${i}}`).join(",")}]}`;
    const path = join(tmp.dir, "heavy.tar.gz");
    writeFileSync(path, fakeBundle({ "data.json": data }));
    const err = await refusal(loadBundleOffThread(path, {}, 16));
    expect(err.code).toBe("AEGIS_ERR_BUNDLE_READ");
    expect(err.message).toMatch(/bundle loader failed/);
  });
});
