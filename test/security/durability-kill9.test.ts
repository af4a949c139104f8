// Attack: kill -9 `aegis serve` during a burst of checks and see whether a decision it already
// answered is missing from the decision log. Under `decision_log.durability: sync` a check is
// answered only once its record is written and fdatasync'd, so every answered decision id must be
// in the log the killed process left behind; and after the next run continues that log (cutting a
// torn line off, if the kill hit mid-write) and shuts down cleanly, `aegis audit verify` accepts it.
import { generateKeyPairSync } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { isAegisError } from "../../src/errors/registry.ts";
import { createDecisionLog } from "../../src/telemetry/decision-log/index.ts";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { aegis } from "../support/cli.ts";
import { connectCheckClient, type CheckClient } from "../support/grpc-check-client.ts";
import { buildBundle, payment, serve, workDir, writeConfig } from "../runtime/runtime-harness.ts";

const DECISION_ID_HEADER = "x-aegis-decision-id";
const CONCURRENCY = 128;
/** Answers to wait for before the kill: enough that the writer is mid-burst. */
const ANSWERS_BEFORE_KILL = 1000;

let work: string;
let bundle: string;
let signingKey: string;
let verificationKey: string;

beforeAll(() => {
  work = workDir("durability");
  bundle = buildBundle(work);
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  signingKey = join(work, "audit-signing.pem");
  verificationKey = join(work, "audit-verify.pem");
  writeFileSync(signingKey, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  writeFileSync(verificationKey, publicKey.export({ type: "spki", format: "pem" }));
});

/** decision_id of every complete line of the log (a torn last line never became part of the chain). */
function loggedDecisionIds(log: string): Set<string> {
  const text = readFileSync(log, "utf8");
  const complete = text.slice(0, text.lastIndexOf("\n") + 1);
  const ids = new Set<string>();
  for (const line of complete.split("\n")) {
    if (line === "") continue;
    const parsed = JSON.parse(line) as { type?: string; decision_id?: string };
    if (parsed.type === "decision" && typeof parsed.decision_id === "string") ids.add(parsed.decision_id);
  }
  return ids;
}

/**
 * CONCURRENCY loops of checks (allows and hard-limit denies) until the server is gone; collects
 * the decision id of every check that got an answer. The answer that makes ANSWERS_BEFORE_KILL
 * kills the server on the spot, in its own callback: its record is the newest one the server
 * has, the one most likely still queued. Checks cut off by the kill fail; they were never answered.
 */
async function burstUntilKilled(client: CheckClient, server: RunningAegisProcess): Promise<string[]> {
  const answered: string[] = [];
  let killed = false;
  const loop = async (worker: number) => {
    for (let i = 0; !killed; i++) {
      let id: string | undefined;
      try {
        const answer = await client.check(payment((worker + i) % 3 === 0 ? 60_000 : 1));
        id = answer.headers[DECISION_ID_HEADER];
      } catch (err) {
        if (killed) return;
        throw err;
      }
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      answered.push(id as string);
      if (answered.length === ANSWERS_BEFORE_KILL) {
        killed = true;
        server.child.kill("SIGKILL");
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => loop(w)));
  await server.kill();
  return answered;
}

describe("decision_log.durability: sync under kill -9", () => {
  let server: RunningAegisProcess | undefined;
  let client: CheckClient | undefined;

  afterEach(async () => {
    client?.close();
    await server?.kill();
    server = undefined;
    client = undefined;
  });

  it("every check answered before SIGKILL mid-burst has its decision id in the log, and the continued log verifies", async () => {
    const log = join(work, "decisions.log");
    const config = writeConfig(work, "sync", { decision_log: { durability: "sync" } });
    const args = ["--decision-log", log, "--audit-signing-key", signingKey];
    server = await serve({ bundle, state: `sqlite:${join(work, "state.db")}`, config, args });
    client = connectCheckClient(server.grpcPort);

    const answered = await burstUntilKilled(client, server);

    const logged = loggedDecisionIds(log);
    const missing = answered.filter((id) => !logged.has(id));
    expect(answered.length).toBeGreaterThanOrEqual(ANSWERS_BEFORE_KILL);
    expect(missing, `${missing.length} of ${answered.length} answered decisions are not in the log`).toEqual([]);

    // The next run continues the chain (the open checkpoint records the crash), then closes it.
    client.close();
    server = await serve({ bundle, state: `sqlite:${join(work, "state.db")}`, config, args });
    client = connectCheckClient(server.grpcPort);
    expect((await client.check(payment(1))).kind).toBe("ok");
    expect(await server.stop()).toBe(0);
    server = undefined;
    const verified = aegis(["audit", "verify", log, "--verification-key", verificationKey]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/^ok: \d+ records/);
  });
});

describe("the sync writer", () => {
  it("resolves appendAsync only once the record is in the file, many records sharing one flush", async () => {
    const path = join(workDir("durability-unit"), "decisions.log");
    const log = createDecisionLog({ sink: { kind: "file", path }, durability: "sync", batch: { maxRecords: 256, maxDelayMs: 20 }, overflow: "fail_closed", maxQueue: 10_000 });
    try {
      const ids = Array.from({ length: 500 }, (_, i) => `d-${i}`);
      await Promise.all(ids.map(async (decision_id) => {
        const result = await log.appendAsync({ type: "decision", decision_id });
        expect(result.accepted).toBe(true);
        // Read back at the moment the check would be answered.
        expect(readFileSync(path, "utf8")).toContain(`"decision_id":"${decision_id}"`);
      }));
      expect(log.stats().written).toBe(500);
      // Group commit: appends of one turn share a batch (up to 256 lines) and its one fdatasync.
      expect(log.stats().syncs).toBeLessThanOrEqual(10);
    } finally {
      await log.close();
    }
  });

  it("fails a waiting check closed (AEGIS_ERR_DECISION_LOG) when the write fails, instead of answering it unlogged", async () => {
    // /dev/full (Linux) accepts the open and fails every write with ENOSPC: a full disk.
    const log = createDecisionLog({ sink: { kind: "file", path: "/dev/full" }, durability: "sync", checkpointIntervalMs: 0, batch: { maxRecords: 10, maxDelayMs: 0 }, overflow: "block", maxQueue: 100, logger: { warn: () => undefined, error: () => undefined } });
    const outcome = await log.appendAsync({ type: "decision", decision_id: "d-full" }).then(() => "answered", (err: unknown) => err);
    expect(isAegisError(outcome, "AEGIS_ERR_DECISION_LOG"), String(outcome)).toBe(true);
    expect(log.stats()).toMatchObject({ written: 0, queueDepth: 1 });
    await log.close().catch(() => undefined);
  });
});
