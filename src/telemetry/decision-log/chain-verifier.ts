// Pure: checks decision-log lines, fed in order, file by file, and names the first bad line.
//
// Rules (docs/audit-log.md): every line's hash matches its content; records count seq up by one
// and link prev_hash to the line before; a checkpoint covers exactly the last record and, given a
// key, carries a valid signature; the first line is the genesis record, a genesis checkpoint or a
// rotate checkpoint; a rotated file ends with a rotate checkpoint that the next file repeats as
// its first line; the current file ends with a close checkpoint.
import type { KeyObject } from "node:crypto";
import { GENESIS_HASH, lineHash } from "./chain.ts";
import { CHECKPOINT_REASONS, checkpointSignatureValid } from "./checkpoint.ts";
import { keyIdOf } from "./signing-key.ts";

export interface BadLine {
  readonly file: string;
  /** 1-based; 0 when the file as a whole is at fault. */
  readonly line: number;
  readonly seq: number | null;
}

export interface VerifyFailure {
  readonly ok: false;
  readonly firstBad: BadLine;
  readonly reason: string;
}

export interface VerifySuccess {
  readonly ok: true;
  readonly records: number;
  readonly checkpoints: number;
  /** Records after the last checkpoint; non-zero only with allowUnsealedTail. */
  readonly unsealed: number;
}

export type VerifyResult = VerifySuccess | VerifyFailure;

export interface ChainVerifierOptions {
  /** Without a key only the hash chain is checked: anyone can rebuild a chain, so this proves little. */
  readonly publicKey?: KeyObject;
  /** Accept records after the last checkpoint (a log still being written); truncation then goes unnoticed. */
  readonly allowUnsealedTail?: boolean;
}

export interface ChainVerifier {
  startFile(file: string): void;
  line(text: string): VerifyFailure | null;
  endFile(isLast: boolean, endsWithNewline: boolean): VerifyFailure | null;
  result(): VerifySuccess;
}

type Line = Record<string, unknown>;

export function createChainVerifier(options: ChainVerifierOptions = {}): ChainVerifier {
  const { publicKey, allowUnsealedTail = false } = options;
  const expectedKeyId = publicKey === undefined ? undefined : keyIdOf(publicKey);
  let anchored = false;
  let prevHash = GENESIS_HASH;
  let lastSeq = 0;
  let lastRecordHash = GENESIS_HASH;
  let records = 0;
  let checkpoints = 0;
  let files = 0;
  let file = "";
  let lineNo = 0;
  let lastText: string | undefined;
  let previousFileLastText: string | undefined;
  let lastSeqSeen: number | null = null;
  let lastCheckpointReason: string | undefined;
  let unsealedFrom: BadLine | undefined;
  let unsealed = 0;

  const fail = (seq: number | null, reason: string, line = lineNo): VerifyFailure => ({ ok: false, firstBad: { file, line, seq }, reason });

  function checkSignature(value: Line, seq: number): VerifyFailure | null {
    if (publicKey === undefined) return null;
    if (typeof value.signature !== "string") return fail(seq, "the checkpoint is unsigned");
    if (value.key_id !== expectedKeyId) return fail(seq, `the checkpoint names key_id ${String(value.key_id)}, but the verification key is ${expectedKeyId}`);
    if (!checkpointSignatureValid(value, publicKey)) return fail(seq, "the checkpoint signature does not verify: the checkpoint was forged or altered");
    return null;
  }

  function anchor(value: Line, seq: number, isCheckpoint: boolean): VerifyFailure | null {
    const genesisRecord = !isCheckpoint && seq === 1 && value.prev_hash === GENESIS_HASH;
    const genesisCheckpoint = isCheckpoint && seq === 0 && value.prev_hash === GENESIS_HASH;
    const rotation = isCheckpoint && value.reason === "rotate";
    if (!genesisRecord && !genesisCheckpoint && !rotation) {
      return fail(seq, `the log starts at seq ${seq} without the genesis record or a rotate checkpoint: its head was removed`);
    }
    prevHash = String(value.prev_hash);
    lastSeq = genesisRecord ? 0 : seq;
    lastRecordHash = genesisRecord ? GENESIS_HASH : String(value.hash_of_last_record);
    anchored = true;
    return null;
  }

  function record(value: Line, seq: number): VerifyFailure | null {
    if (seq > lastSeq + 1) return fail(seq, `seq ${seq} follows seq ${lastSeq}: ${seq - lastSeq - 1} record(s) missing or out of order`);
    if (seq <= lastSeq) return fail(seq, `seq ${seq} follows seq ${lastSeq}: records duplicated or out of order`);
    if (value.prev_hash !== prevHash) return fail(seq, "prev_hash does not match the line before it: a line was removed, inserted or moved");
    prevHash = String(value.hash);
    lastSeq = seq;
    lastRecordHash = prevHash;
    records += 1;
    unsealedFrom ??= { file, line: lineNo, seq };
    unsealed += 1;
    return null;
  }

  function checkpoint(value: Line, seq: number): VerifyFailure | null {
    if (!(CHECKPOINT_REASONS as readonly unknown[]).includes(value.reason)) return fail(seq, `unknown checkpoint reason ${JSON.stringify(value.reason)}`);
    if (seq !== lastSeq) return fail(seq, `the checkpoint covers seq ${seq}, but the last record before it is seq ${lastSeq}: records were removed or moved`);
    if (value.prev_hash !== prevHash) return fail(seq, "prev_hash does not match the line before it: a line was removed, inserted or moved");
    if (value.hash_of_last_record !== lastRecordHash) return fail(seq, `hash_of_last_record does not match record seq ${lastSeq}`);
    prevHash = String(value.hash);
    checkpoints += 1;
    lastCheckpointReason = String(value.reason);
    unsealedFrom = undefined;
    unsealed = 0;
    return null;
  }

  return {
    startFile(name) {
      files += 1;
      previousFileLastText = lastText;
      file = name;
      lineNo = 0;
      lastText = undefined;
    },

    line(text) {
      lineNo += 1;
      if (files > 1 && lineNo === 1) {
        // The previous file's closing rotate checkpoint, repeated: already verified there.
        if (text !== previousFileLastText) return fail(null, "the file does not begin with the rotate checkpoint that ends the previous file: a file is missing or out of order");
        lastText = text;
        return null;
      }
      lastText = text;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return fail(null, "not a JSON line: torn or corrupted");
      }
      if (typeof value !== "object" || value === null || Array.isArray(value)) return fail(null, "not a JSON object");
      const fields = value as Line;
      const seq = Number.isSafeInteger(fields.seq) && (fields.seq as number) >= 0 ? (fields.seq as number) : null;
      lastSeqSeen = seq;
      if (seq === null) return fail(null, "the line has no valid seq");
      if (typeof fields.hash !== "string") return fail(seq, "the line has no hash");
      const isCheckpoint = fields.type === "checkpoint";
      // For a checkpoint the signature is the stronger statement, so it is reported first.
      if (isCheckpoint) {
        const bad = checkSignature(fields, seq);
        if (bad !== null) return bad;
      }
      let expected: string;
      try {
        expected = lineHash(fields);
      } catch {
        return fail(seq, "the line cannot be canonicalised (RFC 8785)");
      }
      if (expected !== fields.hash) return fail(seq, isCheckpoint ? "hash mismatch: the checkpoint was altered" : "hash mismatch: the record was edited");
      if (!anchored) {
        const bad = anchor(fields, seq, isCheckpoint);
        if (bad !== null) return bad;
      }
      return isCheckpoint ? checkpoint(fields, seq) : record(fields, seq);
    },

    endFile(isLast, endsWithNewline) {
      if (lineNo === 0) return fail(null, "the file is empty", 0);
      if (!endsWithNewline) return fail(lastSeqSeen, "the last line is not newline-terminated: a torn write");
      const endsWithCheckpoint = unsealedFrom === undefined;
      if (!isLast) {
        if (endsWithCheckpoint && lastCheckpointReason === "rotate") return null;
        const where = unsealedFrom ?? { file, line: lineNo, seq: lastSeq };
        return { ok: false, firstBad: where, reason: "a rotated file must end with a rotate checkpoint: its tail was truncated" };
      }
      if (allowUnsealedTail) return null;
      if (unsealedFrom !== undefined) {
        return {
          ok: false,
          firstBad: unsealedFrom,
          reason: `unsealed tail: ${unsealed} record(s) after the last checkpoint; the log was truncated past a checkpoint, or its writer did not close`,
        };
      }
      if (lastCheckpointReason !== "close") {
        return fail(lastSeq, `the log ends with a checkpoint of reason "${lastCheckpointReason ?? "none"}", not "close": its tail was truncated, or its writer did not close`);
      }
      return null;
    },

    result() {
      return { ok: true, records, checkpoints, unsealed };
    },
  };
}
