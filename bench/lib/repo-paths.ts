// Where the harnesses find the repository and the tools `scripts/setup.sh bench` provisions.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AegisError } from "../../src/errors/registry.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Tools that `scripts/setup.sh bench` builds (and which component provides the others). */
const PROVIDER: Readonly<Record<string, string>> = {
  ghz: "scripts/setup.sh bench",
  vegeta: "scripts/setup.sh bench",
  "opa-envoy-bench": "scripts/setup.sh bench",
  envoy: "scripts/setup.sh envoy",
  opa: "scripts/setup.sh opa",
};

/** Absolute path of .tools/bin/<name>; a clear AEGIS_ERR_BENCH when it is not there. */
export function benchTool(name: string): string {
  const path = join(REPO_ROOT, ".tools", "bin", name);
  if (!existsSync(path)) {
    throw new AegisError("AEGIS_ERR_BENCH", `${name} not found at .tools/bin/${name}: run ${PROVIDER[name] ?? "scripts/setup.sh"}`);
  }
  return path;
}
