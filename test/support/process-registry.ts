// Every process a test file starts is stopped when the file ends, whether its tests and hooks
// passed, threw or timed out. A hook that times out leaves its `finally` unrun and its handles
// unset, so afterAll cannot stop what it never got: instead, child_process.spawn itself is
// wrapped (once per test worker, before any test module loads), so every spawner is covered
// (aegis serve, Envoy, Redis, the Collector, ghz, fixtures) without each having to remember.
//
// Two layers:
// - in the test worker, a file-level afterAll (setup-processes.ts) SIGKILLs the children the
//   file started that are still running;
// - every child is also recorded as a file in a directory the global setup creates, and the
//   global teardown SIGKILLs whatever is still alive there: the net under a worker that was
//   itself killed or crashed before its afterAll could run.
import childProcess, { type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { join } from "node:path";

interface Tracked {
  readonly child: ChildProcess;
  readonly record: string | null;
}

// Kept on globalThis: a test worker that runs several files loads this module once per file, but
// child_process is one module per process, and must be wrapped only once.
interface RegistryState {
  readonly live: Set<Tracked>;
  installed: boolean;
}
const STATE_KEY = Symbol.for("aegis.test.process-registry");
const state: RegistryState = ((globalThis as Record<symbol, unknown>)[STATE_KEY] as RegistryState | undefined) ?? { live: new Set(), installed: false };
(globalThis as Record<symbol, unknown>)[STATE_KEY] = state;
const { live } = state;

/** The kernel's start time of `pid` (field 22 of /proc/PID/stat), so a reused pid is never killed. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ")".
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

/** Wraps child_process.spawn (for ESM importers too) so every child is tracked; idempotent. */
export function trackSpawnedProcesses(registryDir: string | undefined): void {
  if (state.installed) return;
  state.installed = true;
  const original = childProcess.spawn;
  const tracking = function spawn(this: unknown, ...args: Parameters<typeof original>): ChildProcess {
    const child = original.apply(this, args);
    track(child, registryDir);
    return child;
  } as typeof original;
  childProcess.spawn = tracking;
  // ESM `import { spawn } from "node:child_process"` sees the wrapper only after this.
  syncBuiltinESMExports();
}

function track(child: ChildProcess, registryDir: string | undefined): void {
  const pid = child.pid;
  let record: string | null = null;
  if (pid !== undefined && registryDir !== undefined) {
    record = join(registryDir, String(pid));
    try {
      writeFileSync(record, JSON.stringify({ pid, start: processStartTime(pid), command: child.spawnfile }));
    } catch {
      record = null; // the registry is a safety net; a test must not fail because of it
    }
  }
  const entry: Tracked = { child, record };
  live.add(entry);
  child.once("exit", () => {
    live.delete(entry);
    if (entry.record !== null) rmSync(entry.record, { force: true });
  });
}

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** SIGKILLs every child this worker started that still runs, and waits (bounded) for each to go. */
export async function killTrackedProcesses(): Promise<string[]> {
  const killed: string[] = [];
  await Promise.all([...live].map(async ({ child }) => {
    if (!running(child)) return;
    killed.push(`${child.spawnfile} (pid ${child.pid})`);
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    await Promise.race([gone, new Promise((r) => setTimeout(r, 5_000).unref())]);
  }));
  return killed;
}

/** For the global teardown: SIGKILLs every recorded process still alive (same pid and start time). */
export function killRecordedProcesses(registryDir: string): string[] {
  const killed: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(registryDir);
  } catch {
    return killed;
  }
  for (const name of names) {
    try {
      const { pid, start, command } = JSON.parse(readFileSync(join(registryDir, name), "utf8")) as { pid: number; start: string | null; command: string };
      if (start !== null && processStartTime(pid) === start) {
        process.kill(pid, "SIGKILL");
        killed.push(`${command} (pid ${pid})`);
      }
    } catch {
      // unreadable record or already gone
    }
  }
  return killed;
}
