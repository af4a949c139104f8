import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./opa.ts";

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs ./bin/aegis as a user would. */
export function aegis(args: readonly string[], options: { input?: string; cwd?: string } = {}): CliResult {
  const result = spawnSync(join(REPO_ROOT, "bin", "aegis"), args, { cwd: options.cwd ?? REPO_ROOT, encoding: "utf8", input: options.input, timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
