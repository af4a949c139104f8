// Test helper: the real OPA CLI, provisioned by scripts/setup.sh into .tools/bin.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { extract } from "tar";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export function opaBinary(): string {
  const candidate = process.env.AEGIS_OPA ?? join(REPO_ROOT, ".tools", "bin", "opa");
  if (!existsSync(candidate)) throw new Error(`OPA CLI not found at ${candidate}: run scripts/setup.sh`);
  return candidate;
}

export interface RawWasmBuild {
  readonly wasm: Uint8Array;
  readonly dataJson: Uint8Array;
}

/** Compiles Rego sources + data with `opa build -t wasm -O=0` (higher levels fold data into the module) and returns policy.wasm and data.json. */
export async function buildWasm(rego: Record<string, string>, data: unknown, entrypoints: readonly string[]): Promise<RawWasmBuild> {
  const dir = mkdtempSync(join(tmpdir(), "aegis-opa-"));
  try {
    const src = join(dir, "src");
    mkdirSync(src);
    for (const [name, text] of Object.entries(rego)) writeFileSync(join(src, name), text);
    writeFileSync(join(src, "data.json"), JSON.stringify(data));
    const out = join(dir, "bundle.tar.gz");
    execFileSync(opaBinary(), ["build", "-t", "wasm", "-O=0", ...entrypoints.flatMap((e) => ["-e", e]), "-o", out, src], { stdio: "pipe" });
    const unpacked = join(dir, "unpacked");
    mkdirSync(unpacked);
    await extract({ file: out, cwd: unpacked });
    return { wasm: readFileSync(join(unpacked, "policy.wasm")), dataJson: readFileSync(join(unpacked, "data.json")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
