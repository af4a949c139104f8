// A test that fails or times out must not leave its processes running: budgets.test.ts once timed
// out waiting for /readyz and left `aegis serve` and Redis up an hour later. Here a child vitest,
// with the suite's own config, runs fixtures that start a long-lived process and then (1) time out
// in beforeAll, or (2) kill their own test worker so no hook can run. Afterwards the process must
// be gone. Also: the readiness wait gives up at once when the child it waits for exits.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startAegisProcess } from "../support/aegis-server.ts";
import { REPO_ROOT } from "../support/opa.ts";

const VITEST = join(REPO_ROOT, "node_modules", "vitest", "vitest.mjs");
const FIXTURE_CONFIG = "test/support/fixtures/vitest.fixture.config.ts";

/** Running and not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function runFixture(name: string): Promise<{ code: number | null; output: string; pid: number }> {
  const pidFile = join(mkdtempSync(join(tmpdir(), "aegis-leak-")), "pid");
  const child = spawn(process.execPath, [VITEST, "run", "--config", FIXTURE_CONFIG, name], {
    cwd: REPO_ROOT, env: { ...process.env, LEAK_PID_FILE: pidFile }, stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  const pid = Number(readFileSync(pidFile, "utf8"));
  return { code, output, pid };
}

describe("processes started by a failing test file", () => {
  it("are killed when a beforeAll times out", async () => {
    const run = await runFixture("leaks-on-hook-timeout");
    expect(run.code, run.output).not.toBe(0);
    expect(run.output).toMatch(/Hook timed out/);
    expect(run.pid).toBeGreaterThan(0);
    expect(alive(run.pid), `sleep (pid ${run.pid}) is still running:\n${run.output}`).toBe(false);
  });

  it("are killed by the global teardown when the test worker itself dies", async () => {
    const run = await runFixture("leaks-on-worker-crash");
    expect(run.code, run.output).not.toBe(0);
    // The orphan is reparented, not reaped by vitest: poll briefly for the kernel to finish it.
    const deadline = Date.now() + 10_000;
    while (alive(run.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(alive(run.pid), `sleep (pid ${run.pid}) is still running:\n${run.output}`).toBe(false);
  });
});

describe("the readiness wait", () => {
  it("fails at once, and leaves nothing behind, when aegis serve exits during startup", async () => {
    const started = Date.now();
    const err = await startAegisProcess({ args: ["--bundle", join(tmpdir(), "no-such-bundle.tar.gz")] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String(err)).toMatch(/aegis exited with/);
    // Well under the 90 s readiness budget: the exit ended the wait.
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});

