// A real log (12 records, a checkpoint every 5, closed) laid out as:
//   lines 1-5 records seq 1-5 | 6 checkpoint(5) | 7-11 records 6-10 | 12 checkpoint(10) | 13-14 records 11-12 | 15 close checkpoint(12)
import { sign, createPrivateKey } from "node:crypto";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyDecisionLog } from "../../src/telemetry/decision-log/index.ts";
import { canonicalJson } from "../../src/telemetry/decision-log/chain.ts";
import { ed25519Keys, type KeyPair, parseLine, readLines, rechain, tempDir, writeLines, writeLog } from "./helpers.ts";

let keys: KeyPair;
let pristine: string[];
const dir = tempDir();

beforeAll(async () => {
  keys = ed25519Keys();
  const path = join(dir, "pristine.log");
  await writeLog(path, 12, { signingKeyPem: keys.privatePem });
  pristine = readLines(path);
});

function edit(index: number, change: (line: Record<string, unknown>) => void): (lines: string[]) => string[] {
  return (lines) => {
    const line = parseLine(lines[index]!);
    change(line);
    return lines.with(index, JSON.stringify(line));
  };
}

function signatureBy(privatePem: string, checkpointText: string): string {
  const { signature: _s, hash: _h, ...signed } = parseLine(checkpointText);
  return sign(null, Buffer.from(canonicalJson(signed)), createPrivateKey(privatePem)).toString("base64url");
}

interface TamperCase {
  readonly name: string;
  readonly tamper: (lines: string[]) => string[];
  readonly line: number;
  readonly seq: number | null;
  readonly reason: RegExp;
}

const cases: TamperCase[] = [
  { name: "an edited field", tamper: edit(2, (l) => (l.decision = "allow-edited")), line: 3, seq: 3, reason: /hash mismatch: the record was edited/ },
  {
    name: "an edited field with its own hash recomputed",
    tamper: (lines) => rechain(edit(2, (l) => (l.decision = "allow-edited"))(lines), 2).with(3, lines[3]!).with(4, lines[4]!),
    line: 4,
    seq: 4,
    reason: /prev_hash does not match/,
  },
  {
    name: "an edited field with the whole chain rebuilt (no key)",
    tamper: (lines) => rechain(edit(2, (l) => (l.decision = "allow-edited"))(lines), 2),
    line: 6,
    seq: 5,
    reason: /signature does not verify/,
  },
  { name: "a deleted record", tamper: (lines) => lines.toSpliced(2, 1), line: 3, seq: 4, reason: /1 record\(s\) missing or out of order/ },
  { name: "two swapped records", tamper: (lines) => lines.with(2, lines[3]!).with(3, lines[2]!), line: 3, seq: 4, reason: /missing or out of order/ },
  { name: "a duplicated record", tamper: (lines) => lines.toSpliced(3, 0, lines[2]!), line: 4, seq: 3, reason: /duplicated or out of order/ },
  {
    name: "the record just before a checkpoint deleted",
    tamper: (lines) => lines.toSpliced(4, 1),
    line: 5,
    seq: 5,
    reason: /checkpoint covers seq 5, but the last record before it is seq 4/,
  },
  { name: "a deleted checkpoint", tamper: (lines) => lines.toSpliced(5, 1), line: 6, seq: 6, reason: /prev_hash does not match/ },
  { name: "the tail truncated past a checkpoint", tamper: (lines) => lines.slice(0, 8), line: 7, seq: 6, reason: /unsealed tail: 2 record\(s\) after the last checkpoint/ },
  { name: "the tail truncated right after a checkpoint", tamper: (lines) => lines.slice(0, 12), line: 12, seq: 10, reason: /reason "interval", not "close"/ },
  {
    name: "a checkpoint signature replaced by another key's",
    tamper: (lines) => {
      const forged = signatureBy(ed25519Keys().privatePem, lines[5]!);
      return edit(5, (l) => (l.signature = forged))(lines);
    },
    line: 6,
    seq: 5,
    reason: /signature does not verify/,
  },
  { name: "a checkpoint signature removed", tamper: edit(11, (l) => (l.signature = null)), line: 12, seq: 10, reason: /the checkpoint is unsigned/ },
  { name: "the head removed", tamper: (lines) => lines.slice(6), line: 1, seq: 6, reason: /its head was removed/ },
  { name: "a torn line appended", tamper: (lines) => [...lines, '{"decision":"al'], line: 16, seq: null, reason: /not a JSON line/ },
];

describe("decision log tamper detection", () => {
  it("verifies the untouched log", async () => {
    const path = join(dir, "intact.log");
    writeLines(path, pristine);
    expect(await verifyDecisionLog(path, keys.publicPem)).toEqual({ ok: true, records: 12, checkpoints: 3, unsealed: 0 });
  });

  it.each(cases)("detects $name at line $line (seq $seq)", async ({ name, tamper, line, seq, reason }) => {
    const path = join(dir, `${name.replaceAll(" ", "-")}.log`);
    writeLines(path, tamper(pristine));
    const result = await verifyDecisionLog(path, keys.publicPem);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.firstBad).toEqual({ file: path, line, seq });
    expect(result.reason).toMatch(reason);
  });

  it("names the key mismatch when the log is checked against another key", async () => {
    const path = join(dir, "other-key.log");
    writeLines(path, pristine);
    const result = await verifyDecisionLog(path, ed25519Keys().publicPem);
    expect(result).toMatchObject({ ok: false, firstBad: { line: 6, seq: 5 }, reason: expect.stringMatching(/names key_id/) });
  });

  it("accepts an open tail only when asked, and counts it", async () => {
    const path = join(dir, "live.log");
    writeLines(path, pristine.slice(0, 8));
    expect(await verifyDecisionLog(path, keys.publicPem, { allowUnsealedTail: true })).toEqual({ ok: true, records: 7, checkpoints: 1, unsealed: 2 });
  });
});
