import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Resolves with each stdout line, in order. */
  nextLine(): Promise<string>;
  send(line: string): void;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Runs test/state/fixtures/<script> on the same Node, failing loudly with its stderr if it dies. */
export function startWorker(script: string, args: readonly string[]): WorkerProcess {
  const path = fileURLToPath(new URL(`./fixtures/${script}`, import.meta.url));
  const child = spawn(process.execPath, [path, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk.toString()));
  const queued: string[] = [];
  const waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => {
    const waiter = waiting.shift();
    if (waiter) waiter.resolve(line);
    else queued.push(line);
  });
  let closed = false;
  // "close" comes after stdout has been read to the end, so no line is lost to the exit event.
  child.on("close", (code, signal) => {
    closed = true;
    for (const waiter of waiting.splice(0)) {
      waiter.reject(new Error(`${script} exited (code ${code}, signal ${signal}) before printing:\n${stderr}`));
    }
  });
  return {
    child,
    nextLine() {
      const line = queued.shift();
      if (line !== undefined) return Promise.resolve(line);
      if (closed) {
        return Promise.reject(new Error(`${script} already exited (code ${child.exitCode}):\n${stderr}`));
      }
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    send(line) {
      child.stdin.write(`${line}\n`);
    },
    kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill(signal);
      });
    },
  };
}
