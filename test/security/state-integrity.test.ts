// SQLite state integrity at start. A state file with damaged pages used to start (readyz 200)
// and then fail approvals with gRPC INTERNAL; a zero-length file silently reset budgets and
// approvals. The database here is written by a real `aegis serve` (approvals and budget
// charges through gRPC Check), then damaged, and `aegis serve` is started on it again.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { connectCheckClient } from "../support/grpc-check-client.ts";
import { REPO_ROOT } from "../support/opa.ts";
import { freePort } from "../support/ports.ts";
import { buildBundle, pendingApprovals, payment, serve, workDir, writeConfig } from "../runtime/runtime-harness.ts";

let work: string;
let bundle: string;
let config: string;
/** The state file as the first server left it: pending approvals and a charged budget. */
let pristine: string;
const running: RunningAegisProcess[] = [];

beforeAll(async () => {
  work = workDir("state-integrity");
  bundle = buildBundle(work);
  config = writeConfig(work, "aegis");
  pristine = join(work, "pristine.db");
  const server = await serve({ bundle, state: `sqlite:${pristine}`, config });
  const client = connectCheckClient(server.grpcPort);
  try {
    for (let amount = 5_001; amount < 5_041; amount++) expect((await client.check(payment(amount))).body).toMatchObject({ error: "approval_pending" });
    expect((await client.check(payment(100))).kind).toBe("ok");
  } finally {
    client.close();
    expect(await server.stop()).toBe(0);
  }
  // The drain closed the database: everything is in the main file, nothing left in a WAL.
  expect(existsSync(`${pristine}-wal`)).toBe(false);
});

afterAll(async () => {
  for (const server of running) await server.kill();
});

/** A copy of the pristine state to damage. */
function copyOfState(name: string): string {
  const path = join(work, `${name}.db`);
  copyFileSync(pristine, path);
  return path;
}

interface FailedStart {
  readonly code: number | null;
  readonly stderr: string;
  readonly everReady: boolean;
}

/** `aegis serve` on `state`, expected to exit by itself; polls /readyz the whole time. */
async function startExpectingExit(state: string): Promise<FailedStart> {
  const httpPort = await freePort();
  const child = spawn(join(REPO_ROOT, "bin", "aegis"), [
    "serve", "--bundle", bundle, "--state", state, "--config", config,
    "--grpc-addr", `127.0.0.1:${await freePort()}`, "--http-addr", `127.0.0.1:${httpPort}`,
  ], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let everReady = false;
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + 30_000;
  try {
    while (!done && Date.now() < deadline) {
      const status = await fetch(`http://127.0.0.1:${httpPort}/readyz`).then((res) => res.status, () => 0);
      if (status === 200) everReady = true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
  return { code: await exited, stderr, everReady };
}

describe("aegis serve on a damaged SQLite state file", () => {
  it("starts on the intact file and still has its approvals (the data under test is real)", async () => {
    const server = await serve({ bundle, state: `sqlite:${copyOfState("intact")}`, config });
    running.push(server);
    expect(await pendingApprovals(server)).toHaveLength(40);
  });

  it("refuses to start when bytes in the middle of the approvals page were overwritten: exit 6, AEGIS_ERR_STATE, never ready", async () => {
    const path = copyOfState("corrupt");
    const db = new DatabaseSync(path, { readOnly: true });
    const { rootpage } = db.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'approvals'").get() as { rootpage: number };
    const { page_size: pageSize } = db.prepare("PRAGMA page_size").get() as { page_size: number };
    db.close();
    const bytes = readFileSync(path);
    // Page rootpage is 1-based; overwrite from the middle of the page to its end, where the rows are.
    const start = (rootpage - 1) * pageSize + pageSize / 2;
    for (let i = start; i < rootpage * pageSize; i++) bytes[i] = (i * 131 + 17) & 0xff;
    writeFileSync(path, bytes);

    const started = await startExpectingExit(`sqlite:${path}`);
    expect(started.everReady).toBe(false);
    expect(started.code, started.stderr).toBe(6);
    expect(started.stderr).toMatch(/AEGIS_ERR_STATE: SQLite state at .*corrupt\.db failed its integrity check/);
  });

  it("refuses to start on a zero-length file instead of resetting budgets and approvals", async () => {
    const path = copyOfState("truncated");
    truncateSync(path, 0);
    const started = await startExpectingExit(`sqlite:${path}`);
    expect(started.everReady).toBe(false);
    expect(started.code, started.stderr).toBe(6);
    expect(started.stderr).toMatch(/AEGIS_ERR_STATE: SQLite state at .*truncated\.db is an empty \(zero-byte\) file/);
    expect(readFileSync(path).length).toBe(0);
  });

  it("starts on a zero-length file with ?initialize=true, with empty state", async () => {
    const path = copyOfState("reinitialized");
    truncateSync(path, 0);
    const server = await serve({ bundle, state: `sqlite:${path}?initialize=true`, config });
    running.push(server);
    expect(await pendingApprovals(server)).toEqual([]);
  });

  it("still creates a state file that does not exist", async () => {
    const server = await serve({ bundle, state: `sqlite:${join(work, "new", "fresh.db")}`, config });
    running.push(server);
    expect(await pendingApprovals(server)).toEqual([]);
  });
});
