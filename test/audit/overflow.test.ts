import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createDecisionLog, type DecisionLog, verifyDecisionLog } from "../../src/telemetry/decision-log/index.ts";
import type { OverflowMode } from "../../src/telemetry/decision-log/options.ts";
import { decisionRecord, ed25519Keys, parseLine, readLines, tempDir } from "./helpers.ts";

const keys = ed25519Keys();

// A long batch delay keeps the writer idle while a synchronous loop fills the queue.
function boundedLog(overflow: OverflowMode, maxQueue: number): { log: DecisionLog; path: string } {
  const path = join(tempDir(), "d.log");
  const log = createDecisionLog({
    sink: { kind: "file", path },
    signingKeyPem: keys.privatePem,
    checkpointIntervalMs: 0,
    batch: { maxRecords: 1000, maxDelayMs: 10_000 },
    overflow,
    maxQueue,
  });
  return { log, path };
}

describe("decision log overflow", () => {
  it("drop_count refuses records beyond maxQueue, counts them, and signs the count into the next checkpoint", async () => {
    const { log, path } = boundedLog("drop_count", 5);
    const results = Array.from({ length: 8 }, (_, i) => log.append(decisionRecord(i)));
    expect(results.map((r) => r.accepted)).toEqual([true, true, true, true, true, false, false, false]);
    expect(results[5]!.hash).toBe("");
    expect(log.stats()).toMatchObject({ dropped: 3, queueDepth: 5, written: 0 });
    await log.close();
    expect(log.stats()).toMatchObject({ dropped: 3, written: 5, queueDepth: 0 });
    const close = parseLine(readLines(path).at(-1)!);
    expect(close).toMatchObject({ reason: "close", records_since_last: 5, dropped_since_last: 3 });
    expect(await verifyDecisionLog(path, keys.publicPem)).toMatchObject({ ok: true, records: 5 });
  });

  it("fail_closed answers accepted:false so the caller can deny, and counts the refusals", async () => {
    const { log, path } = boundedLog("fail_closed", 2);
    expect([1, 2, 3].map((i) => log.append(decisionRecord(i)).accepted)).toEqual([true, true, false]);
    expect(log.stats()).toMatchObject({ rejected: 1, dropped: 0 });
    await log.close();
    expect(await verifyDecisionLog(path, keys.publicPem)).toMatchObject({ ok: true, records: 2 });
  });

  it("block makes appendAsync wait for room and keeps the callers' order", async () => {
    const path = join(tempDir(), "d.log");
    const log = createDecisionLog({
      sink: { kind: "file", path },
      signingKeyPem: keys.privatePem,
      checkpointIntervalMs: 0,
      batch: { maxRecords: 2, maxDelayMs: 1 },
      overflow: "block",
      maxQueue: 3,
    });
    const settled: number[] = [];
    const pending = Array.from({ length: 10 }, (_, i) => log.appendAsync({ i }).then((r) => (settled.push(i), r)));
    await Promise.resolve();
    expect(settled).toEqual([0, 1, 2]);
    expect(log.stats().queueDepth).toBe(3);
    const results = await Promise.all(pending);
    expect(results.every((r) => r.accepted)).toBe(true);
    await log.close();
    const order = readLines(path).map(parseLine).filter((l) => l.type !== "checkpoint").map((l) => l.i);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(log.stats()).toMatchObject({ written: 10, dropped: 0, rejected: 0 });
    expect(await verifyDecisionLog(path, keys.publicPem)).toMatchObject({ ok: true, records: 10 });
  });

  it("returns the record's chain hash synchronously, before anything is written", async () => {
    const { log, path } = boundedLog("block", 10);
    const { hash } = log.append(decisionRecord(1));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(log.stats().written).toBe(0);
    await log.flush();
    expect(parseLine(readLines(path)[0]!).hash).toBe(hash);
    await log.close();
  });

  it("refuses appends after close without throwing", async () => {
    const { log } = boundedLog("block", 10);
    await log.close();
    expect(log.append(decisionRecord(1))).toEqual({ hash: "", accepted: false });
    expect(log.stats().rejected).toBe(1);
  });
});
