// Bundle file → a ready engine, for the CLI commands (eval, test): the same loader as the server
// (limits, layout, data.json schema), on the calling thread since nothing else waits on it.
import type { BundleContents } from "../bundle/read.ts";
import { loadBundleSource } from "../bundle/source.ts";
import { AegisError } from "../errors/registry.ts";
import { createEngine } from "./create-engine.ts";
import type { Engine } from "./engine.ts";

export async function openBundleFile(path: string, workers = 0): Promise<{ engine: Engine; contents: BundleContents }> {
  const loaded = await loadBundleSource(path);
  // Without an ETag to compare, a local file always loads.
  if ("notModified" in loaded) throw new AegisError("AEGIS_ERR_BUNDLE_READ", `cannot read bundle ${path}`);
  const { contents } = loaded;
  const engine = await createEngine({ revision: contents.manifest.revision, wasm: contents.wasm, dataJson: contents.dataJson, dataIndex: contents.dataIndex }, { workers });
  return { engine, contents };
}
