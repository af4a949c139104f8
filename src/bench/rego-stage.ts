// An Aegis bundle's data.json beside the Rego library it was built from, as a plain directory
// for OPA's Go evaluator (`opa bench`, the OPA-Envoy stand-in). The bundle's own Rego cannot
// serve: `opa build -t wasm` keeps the modules but drops the entrypoint rule (aegis.decision)
// from them, since the WASM module carries it. The harnesses check that OPA's decision on the
// benchmark input equals Aegis's, so a library that drifted from the bundle is caught.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { collectRegoSources } from "../bundle/rego-sources.ts";

export interface RegoStageSource {
  readonly dataJson: Uint8Array;
  /** The Rego library directory (policies/aegis unless the bundle was built with --rego-dir). */
  readonly regoDir: string;
}

export async function writeRegoAndData(source: RegoStageSource, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "data.json"), source.dataJson);
  for (const rego of await collectRegoSources(source.regoDir)) {
    const target = join(dir, ...rego.name.split("/"));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, rego.bytes);
  }
}
