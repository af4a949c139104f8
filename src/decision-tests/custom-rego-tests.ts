// `aegis test` for custom Rego: the *_test.rego files beside the modules run with the real
// `opa test`, over exactly what the bundle holds: the library (without its own tests), the
// modules as shipped (rule ids added) and the compiled data.json at the data root.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { CUSTOM_BUNDLE_DIR, type CustomModules } from "../bundle/custom-modules.ts";
import { opaCommand } from "../bundle/opa-cli.ts";
import { collectRegoSources } from "../bundle/rego-sources.ts";
import { AegisError } from "../errors/registry.ts";
import type { PolicyData } from "../policy/policy-data.ts";

export interface RegoTestRun {
  readonly passed: boolean;
  /** What `opa test` printed. */
  readonly output: string;
}

async function put(root: string, name: string, bytes: Uint8Array | string): Promise<void> {
  const target = join(root, ...name.split("/"));
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, bytes);
}

/** null when there are no Rego tests to run. */
export async function runCustomRegoTests(custom: CustomModules, policyDir: string, libDir: string, data: PolicyData): Promise<RegoTestRun | null> {
  if (custom.testFiles.length === 0) return null;
  const stage = await mkdtemp(join(tmpdir(), "aegis-rego-test-"));
  try {
    for (const source of [...(await collectRegoSources(libDir)), ...custom.sources]) await put(stage, source.name, source.bytes);
    for (const file of custom.testFiles) {
      await put(stage, `${CUSTOM_BUNDLE_DIR}/${relative(policyDir, file).split(sep).join("/")}`, await readFile(file));
    }
    await writeFile(join(stage, "data.json"), JSON.stringify(data));
    return await new Promise((resolve, reject) => {
      execFile(opaCommand(), ["test", "--format", "pretty", "."], { cwd: stage, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 }, (err, stdout, stderr) => {
        const code = (err as NodeJS.ErrnoException | null)?.code;
        if (code === "ENOENT" || code === "EACCES") {
          return reject(new AegisError("AEGIS_ERR_OPA_NOT_FOUND", `OPA CLI "${opaCommand()}" could not be run (${code}); run scripts/setup.sh or set AEGIS_OPA`, { cause: err }));
        }
        resolve({ passed: err === null, output: `${stdout}${stderr}` });
      });
    });
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
