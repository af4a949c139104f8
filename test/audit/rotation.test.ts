import { existsSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { rotatedSet, verifyDecisionLog } from "../../src/telemetry/decision-log/index.ts";
import { ed25519Keys, type KeyPair, parseLine, readLines, tempDir, writeLines, writeLog } from "./helpers.ts";

const RECORDS = 40;
let keys: KeyPair;

beforeAll(() => {
  keys = ed25519Keys();
});

async function rotatedLog(options: { maxFiles?: number } = {}): Promise<{ path: string; files: string[] }> {
  const path = join(tempDir(), "decisions.log");
  await writeLog(path, RECORDS, { signingKeyPem: keys.privatePem, checkpointEvery: 10, sink: { kind: "file", path, maxBytes: 1500, ...options } });
  return { path, files: rotatedSet(path) };
}

describe("decision log rotation", () => {
  it("rotates past maxBytes and the rotated set verifies as one chain", async () => {
    const { files } = await rotatedLog();
    expect(files.length).toBeGreaterThanOrEqual(3);
    expect(await verifyDecisionLog(files, keys.publicPem)).toMatchObject({ ok: true, records: RECORDS });
  });

  it("keeps seq monotonic across files and links each file to the next with the same rotate checkpoint", async () => {
    const { files } = await rotatedLog();
    const perFile = files.map(readLines);
    const seqs = perFile.flat().map(parseLine).filter((l) => l.type !== "checkpoint").map((l) => l.seq);
    expect(seqs).toEqual(Array.from({ length: RECORDS }, (_, i) => i + 1));
    for (let i = 0; i + 1 < perFile.length; i++) {
      const last = perFile[i]!.at(-1)!;
      expect(parseLine(last)).toMatchObject({ type: "checkpoint", reason: "rotate" });
      expect(perFile[i + 1]![0]).toBe(last);
    }
    expect(parseLine(perFile.at(-1)!.at(-1)!)).toMatchObject({ type: "checkpoint", reason: "close" });
  });

  it("verifies the current file on its own, anchored on its rotate checkpoint", async () => {
    const { path } = await rotatedLog();
    expect(await verifyDecisionLog([path], keys.publicPem)).toMatchObject({ ok: true });
  });

  it("keeps only maxFiles rotated files and the remaining set still verifies", async () => {
    const { path, files } = await rotatedLog({ maxFiles: 2 });
    expect(files).toEqual([`${path}.2`, `${path}.1`, path]);
    expect(existsSync(`${path}.3`)).toBe(false);
    const result = await verifyDecisionLog(files, keys.publicPem);
    expect(result.ok && result.records).toBeLessThan(RECORDS);
  });

  it("detects a missing middle file", async () => {
    const { files } = await rotatedLog();
    const withoutMiddle = files.filter((_, i) => i !== 1);
    const result = await verifyDecisionLog(withoutMiddle, keys.publicPem);
    expect(result).toMatchObject({ ok: false, firstBad: { file: withoutMiddle[1], line: 1 }, reason: expect.stringMatching(/does not begin with the rotate checkpoint/) });
  });

  it("detects files given out of order", async () => {
    const { files } = await rotatedLog();
    const swapped = files.with(0, files[1]!).with(1, files[0]!);
    expect((await verifyDecisionLog(swapped, keys.publicPem)).ok).toBe(false);
  });

  it("detects a rotated file whose tail was truncated", async () => {
    const { files } = await rotatedLog();
    const oldest = files[0]!;
    const lines = readLines(oldest);
    writeLines(oldest, lines.slice(0, -2));
    const result = await verifyDecisionLog(files, keys.publicPem);
    expect(result).toMatchObject({ ok: false, firstBad: { file: oldest }, reason: expect.stringMatching(/rotated file must end with a rotate checkpoint/) });
  });

  it("detects a removed head of the oldest retained file", async () => {
    const { files } = await rotatedLog();
    const oldest = files[0]!;
    writeLines(oldest, readLines(oldest).slice(2));
    expect(await verifyDecisionLog(files, keys.publicPem)).toMatchObject({ ok: false, firstBad: { file: oldest, line: 1 }, reason: expect.stringMatching(/head was removed/) });
  });

  it("starts a new chain when an external tool moved a closed log away", async () => {
    const path = join(tempDir(), "decisions.log");
    await writeLog(path, 3, { signingKeyPem: keys.privatePem });
    renameSync(path, `${path}.1`);
    await writeLog(path, 2, { signingKeyPem: keys.privatePem });
    expect(parseLine(readLines(path)[0]!)).toMatchObject({ seq: 1, prev_hash: "0".repeat(64) });
    expect(await verifyDecisionLog(path, keys.publicPem)).toMatchObject({ ok: true, records: 2 });
    expect(await verifyDecisionLog(`${path}.1`, keys.publicPem)).toMatchObject({ ok: true, records: 3 });
  });

  it("continues the chain into a new file when the writer stopped between renaming and starting it", async () => {
    const { path } = await rotatedLog();
    rmSync(path);
    await writeLog(path, 3, { signingKeyPem: keys.privatePem, sink: { kind: "file", path, maxBytes: 1500 } });
    expect(parseLine(readLines(path)[0]!)).toMatchObject({ type: "checkpoint", reason: "rotate" });
    const result = await verifyDecisionLog(rotatedSet(path), keys.publicPem);
    expect(result).toMatchObject({ ok: true });
  });
});
