import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isAegisError } from "../../src/errors/registry.ts";
import { createDecisionLog, verifyDecisionLog } from "../../src/telemetry/decision-log/index.ts";
import { ed25519Keys, parseLine, readLines, tempDir, writeLines, writeLog } from "./helpers.ts";

const keys = ed25519Keys();

describe("decision log resume", () => {
  it("continues the chain of a cleanly closed log, marking the new session with an open checkpoint", async () => {
    const path = join(tempDir(), "d.log");
    await writeLog(path, 5, { signingKeyPem: keys.privatePem });
    await writeLog(path, 3, { signingKeyPem: keys.privatePem });
    const lines = readLines(path).map(parseLine);
    expect(lines.find((l) => l.reason === "open")).toMatchObject({ previous_closed: true, torn_bytes_removed: 0, seq: 5 });
    expect(lines.filter((l) => l.type !== "checkpoint").map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await verifyDecisionLog(path, keys.publicPem)).toMatchObject({ ok: true, records: 8 });
  });

  it("after a crash, cuts the torn last write, seals the unsealed records and stays verifiable", async () => {
    const path = join(tempDir(), "d.log");
    await writeLog(path, 7, { signingKeyPem: keys.privatePem });
    // What a crash leaves: no close checkpoint, and half a line.
    writeLines(path, readLines(path).slice(0, -1));
    appendFileSync(path, '{"decision":"al');
    expect((await verifyDecisionLog(path, keys.publicPem)).ok).toBe(false);
    await writeLog(path, 2, { signingKeyPem: keys.privatePem });
    const open = readLines(path).map(parseLine).find((l) => l.reason === "open");
    expect(open).toMatchObject({ previous_closed: false, torn_bytes_removed: 15, seq: 7 });
    expect(await verifyDecisionLog(path, keys.publicPem)).toMatchObject({ ok: true, records: 9 });
  });

  it("refuses to continue a file whose last line is not a decision log line", () => {
    const path = join(tempDir(), "d.log");
    writeFileSync(path, "hello\n");
    let caught: unknown;
    try {
      createDecisionLog({ sink: { kind: "file", path }, batch: { maxRecords: 1, maxDelayMs: 1 }, overflow: "block", maxQueue: 1 });
    } catch (err) {
      caught = err;
    }
    expect(isAegisError(caught, "AEGIS_ERR_DECISION_LOG")).toBe(true);
  });
});
