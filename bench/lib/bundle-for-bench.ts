// The bundle a harness measures: the one given, or a policy directory built fresh with the real
// `aegis build` pipeline into bench/out/.
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { type BundleContents, readBundle } from "../../src/bundle/read.ts";
import { AegisError } from "../../src/errors/registry.ts";
import { REPO_ROOT } from "./repo-paths.ts";

export const BENCH_OUT = join(REPO_ROOT, "bench", "out");

/** Policies every server decides alike on every request (no budget state); see bench/policies/. */
export const BENCH_POLICIES = join(REPO_ROOT, "bench", "policies");

export async function bundleForBench(path: string | undefined, policiesDir = BENCH_POLICIES): Promise<{ path: string; contents: BundleContents }> {
  const bundlePath = path ?? join(BENCH_OUT, `${basename(policiesDir)}.tar.gz`);
  if (path === undefined) {
    try {
      execFileSync(join(REPO_ROOT, "bin", "aegis"), ["build", policiesDir, "-o", bundlePath], { stdio: ["ignore", "ignore", "pipe"] });
    } catch (err) {
      throw new AegisError("AEGIS_ERR_BENCH", `aegis build of ${policiesDir} failed: ${String((err as { stderr?: unknown }).stderr ?? err)}`, { cause: err });
    }
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(bundlePath);
  } catch (err) {
    throw new AegisError("AEGIS_ERR_BUNDLE_READ", `cannot read bundle ${bundlePath}: ${(err as Error).message}`, { cause: err });
  }
  return { path: bundlePath, contents: await readBundle(bytes) };
}
