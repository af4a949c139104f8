// A server under test as a child process: started, awaited until ready, stopped, with its output
// kept for the error message when it dies.
import { type ChildProcess, spawn } from "node:child_process";
import { AegisError } from "../../src/errors/registry.ts";

export type Readiness =
  | { readonly kind: "stdout"; readonly pattern: RegExp }
  | { readonly kind: "http"; readonly url: string };

export interface ServerSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly ready: Readiness;
  /** Optional CPU list for taskset (e.g. "1"), to keep the server off the load generator's core. */
  readonly cpus?: string;
}

export interface RunningServer {
  readonly name: string;
  readonly pid: number;
  output(): string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

export async function startServer(spec: ServerSpec): Promise<RunningServer> {
  const [command, args] = spec.cpus === undefined ? [spec.command, spec.args] : ["taskset", ["-c", spec.cpus, spec.command, ...spec.args]];
  const child: ChildProcess = spawn(command, args, { cwd: spec.cwd, env: { ...process.env, ...spec.env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 64_000) output = output.slice(-32_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const spawnError = new Promise<never>((_, reject) =>
    child.once("error", (err) => reject(new AegisError("AEGIS_ERR_BENCH", `${spec.name}: cannot start ${spec.command}: ${err.message}`, { cause: err }))),
  );

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    await Promise.race([waitReady(spec, child, () => output), spawnError]);
  } catch (err) {
    await stop();
    throw err;
  }
  if (child.pid === undefined) throw new AegisError("AEGIS_ERR_BENCH", `${spec.name}: no process id`);
  return { name: spec.name, pid: child.pid, output: () => output, stop };
}

async function waitReady(spec: ServerSpec, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new AegisError("AEGIS_ERR_BENCH", `${spec.name} exited before it was ready (${child.exitCode ?? child.signalCode}):\n${output().slice(-4000)}`);
    }
    if (spec.ready.kind === "stdout" ? spec.ready.pattern.test(output()) : await httpOk(spec.ready.url)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new AegisError("AEGIS_ERR_BENCH", `${spec.name} not ready after ${READY_TIMEOUT_MS / 1000} s:\n${output().slice(-4000)}`);
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url);
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}
