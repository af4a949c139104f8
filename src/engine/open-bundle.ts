// Bundle file or bytes → a ready engine, for the CLI commands (eval, test, bench).
import { readFile } from "node:fs/promises";
import { readBundle, type BundleContents } from "../bundle/read.ts";
import { AegisError } from "../errors/registry.ts";
import { createEngine } from "./create-engine.ts";
import type { Engine } from "./engine.ts";

export async function openBundleFile(path: string, workers = 0): Promise<{ engine: Engine; contents: BundleContents }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new AegisError("AEGIS_ERR_BUNDLE_READ", `cannot read bundle ${path}: ${(err as Error).message}`, { cause: err });
  }
  const contents = await readBundle(bytes);
  const engine = await createEngine({ revision: contents.manifest.revision, wasm: contents.wasm, dataJson: contents.dataJson }, { workers });
  return { engine, contents };
}
