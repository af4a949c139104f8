// End to end: the real ./bin/aegis, spawned, against logs written by the real writer.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { ed25519Keys, parseLine, readLines, tempDir, writeLines, writeLog } from "./helpers.ts";

const run = promisify(execFile);
const AEGIS = resolve(import.meta.dirname, "../../bin/aegis");
const dir = tempDir();
const keys = ed25519Keys();
const publicKeyPath = join(dir, "pub.pem");

async function aegis(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(AEGIS, args);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(() => {
  writeFileSync(publicKeyPath, keys.publicPem);
});

describe("aegis audit verify", () => {
  it("exits 0 and counts records and checkpoints for an intact log", async () => {
    const log = join(dir, "intact.log");
    await writeLog(log, 12, { signingKeyPem: keys.privatePem });
    const result = await aegis("audit", "verify", log, "--verification-key", publicKeyPath);
    expect(result).toMatchObject({ code: 0, stdout: "ok: 12 records, 3 checkpoints\n" });
  });

  it("exits 1 naming the first bad record as file:line: seq N: reason", async () => {
    const log = join(dir, "edited.log");
    await writeLog(log, 12, { signingKeyPem: keys.privatePem });
    const lines = readLines(log);
    const third = parseLine(lines[2]!);
    third.decision = "allow-edited";
    writeLines(log, lines.with(2, JSON.stringify(third)));
    const result = await aegis("audit", "verify", log, "--verification-key", publicKeyPath);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`${log}:3: seq 3: hash mismatch: the record was edited\n`);
  });

  it("verifies a rotated log through its current file", async () => {
    const log = join(dir, "rotated.log");
    await writeLog(log, 40, { signingKeyPem: keys.privatePem, sink: { kind: "file", path: log, maxBytes: 1500 } });
    const result = await aegis("audit", "verify", log, "--verification-key", publicKeyPath);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok: 40 records, \d+ checkpoints\n$/);
  });

  it("exits 1 when the log was signed by another key", async () => {
    const log = join(dir, "other.log");
    await writeLog(log, 3, { signingKeyPem: ed25519Keys().privatePem });
    const result = await aegis("audit", "verify", log, "--verification-key", publicKeyPath);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/:4: seq 3: the checkpoint names key_id/);
  });

  it.each([
    [["audit", "verify", "x.log"], /--verification-key is required/],
    [["audit", "check"], /unknown subcommand "check"/],
    [["audit", "verify", "x.log", "--verification-key", "missing.pem"], /cannot read the verification key missing.pem: ENOENT/],
  ])("exits 2 with usage for %j", async (args, message) => {
    const result = await aegis(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
