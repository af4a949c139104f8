// Runs `bin/aegis serve` as a separate process, the way a user (or Kubernetes) runs it.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./opa.ts";
import { freePort, StopWaiting, waitFor } from "./ports.ts";

export interface RunningAegisProcess {
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly adminUrl: string;
  readonly child: ChildProcess;
  logs(): string;
  /** SIGTERM and wait for exit; resolves the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: no drain, no flush. */
  kill(): Promise<void>;
}

export async function startAegisProcess(opts: { args: readonly string[]; env?: Record<string, string>; grpcPort?: number; httpPort?: number }): Promise<RunningAegisProcess> {
  const grpcPort = opts.grpcPort ?? (await freePort());
  const httpPort = opts.httpPort ?? (await freePort());
  let output = "";
  const child = spawn(join(REPO_ROOT, "bin", "aegis"), ["serve", "--grpc-addr", `127.0.0.1:${grpcPort}`, "--http-addr", `127.0.0.1:${httpPort}`, ...opts.args], {
    cwd: REPO_ROOT,
    env: { ...process.env, AEGIS_LOG_LEVEL: "info", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    await waitFor(async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new StopWaiting(`aegis exited with ${child.exitCode ?? child.signalCode}:\n${output}`);
      return (await fetch(`http://127.0.0.1:${httpPort}/readyz`)).status === 200;
    }, "aegis /readyz");
  } catch (err) {
    // Never leave a half-started server behind: the caller has no handle to stop it.
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
    throw err instanceof Error ? new Error(`${err.message}\n${output.slice(-4000)}`, { cause: err }) : err;
  }
  return {
    grpcPort,
    httpPort,
    adminUrl: `http://127.0.0.1:${httpPort}`,
    child,
    logs: () => output,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
