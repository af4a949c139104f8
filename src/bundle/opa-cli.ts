// Runs the real OPA CLI: `AEGIS_OPA` when set, else `opa` on PATH.
import { execFile } from "node:child_process";
import { AegisError } from "../errors/registry.ts";

/** Compiling a large policy set to WASM takes seconds; minutes means something hangs. */
const OPA_TIMEOUT_MS = 5 * 60_000;

export function opaCommand(): string {
  const configured = process.env.AEGIS_OPA;
  return configured !== undefined && configured !== "" ? configured : "opa";
}

export interface OpaResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Resolves on exit code 0; a missing binary is AEGIS_ERR_OPA_NOT_FOUND, any failure AEGIS_ERR_OPA_BUILD with opa's stderr. */
export function runOpa(args: readonly string[], cwd: string): Promise<OpaResult> {
  const command = opaCommand();
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, timeout: OPA_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err === null) return resolve({ stdout, stderr });
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "EACCES") {
        return reject(new AegisError("AEGIS_ERR_OPA_NOT_FOUND", `OPA CLI "${command}" could not be run (${code}); run scripts/setup.sh or set AEGIS_OPA`, { cause: err }));
      }
      const detail = stderr.trim() || stdout.trim() || err.message;
      reject(new AegisError("AEGIS_ERR_OPA_BUILD", `opa ${args[0] ?? ""} failed:\n${detail}`, { cause: err }));
    });
  });
}
