// Pure apart from the signature: checkpoint lines. A checkpoint seals the chain up to the record
// with seq `seq`; its Ed25519 signature covers every member except `signature` and `hash`, and
// since that includes `prev_hash`, one valid signature vouches for every line before it.
import { sign, verify, type KeyObject } from "node:crypto";
import { canonicalJson, sealLine, type SealedLine } from "./chain.ts";
import type { CheckpointSigner } from "./signing-key.ts";

/**
 * interval: every N records / T ms; close: the writer closed cleanly (a current file must end
 * with one); rotate: ends a rotated file and repeats as the first line of the next file; open: a
 * writer resumed an existing chain (previous_closed says whether the last session closed).
 */
export const CHECKPOINT_REASONS = ["interval", "close", "rotate", "open"] as const;
export type CheckpointReason = (typeof CHECKPOINT_REASONS)[number];

export interface CheckpointFacts {
  readonly reason: CheckpointReason;
  /** seq of the last record covered; 0 before the first record. */
  readonly seq: number;
  readonly prevHash: string;
  readonly hashOfLastRecord: string;
  /** Records this writer sealed since its previous checkpoint (informational; an open checkpoint says 0). */
  readonly recordsSinceLast: number;
  /** Records refused by the drop_count overflow policy since the previous checkpoint. */
  readonly droppedSinceLast: number;
  readonly signedAt: Date;
  readonly extra?: Readonly<Record<string, unknown>>;
}

function signingBytes(body: Readonly<Record<string, unknown>>): Buffer {
  const { signature: _signature, hash: _hash, ...signed } = body;
  return Buffer.from(canonicalJson(signed), "utf8");
}

export function buildCheckpoint(facts: CheckpointFacts, signer: CheckpointSigner | undefined): SealedLine {
  const unsigned = {
    ...facts.extra,
    type: "checkpoint",
    reason: facts.reason,
    seq: facts.seq,
    prev_hash: facts.prevHash,
    hash_of_last_record: facts.hashOfLastRecord,
    records_since_last: facts.recordsSinceLast,
    dropped_since_last: facts.droppedSinceLast,
    signed_at: facts.signedAt.toISOString(),
    key_id: signer?.keyId ?? null,
  };
  const signature = signer === undefined ? null : sign(null, signingBytes(unsigned), signer.privateKey).toString("base64url");
  return sealLine({ ...unsigned, signature });
}

export function checkpointSignatureValid(line: Readonly<Record<string, unknown>>, publicKey: KeyObject): boolean {
  if (typeof line.signature !== "string") return false;
  try {
    return verify(null, signingBytes(line), publicKey, Buffer.from(line.signature, "base64url"));
  } catch {
    return false;
  }
}
