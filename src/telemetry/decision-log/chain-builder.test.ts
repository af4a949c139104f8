import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isAegisError } from "../../errors/registry.ts";
import { GENESIS_HASH } from "./chain.ts";
import { createChainBuilder, GENESIS_POSITION } from "./chain-builder.ts";
import { checkpointSignatureValid } from "./checkpoint.ts";
import { loadSigner } from "./signing-key.ts";

const fixedNow = () => new Date("2025-01-01T00:00:00Z");
const parse = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe("chain builder", () => {
  it("numbers records from 1 and links each prev_hash to the line before", () => {
    const chain = createChainBuilder(GENESIS_POSITION, undefined, fixedNow);
    const first = parse(chain.record({ a: 1 }).text);
    const second = parse(chain.record({ a: 2 }).text);
    expect(first).toMatchObject({ seq: 1, prev_hash: GENESIS_HASH });
    expect(second).toMatchObject({ seq: 2, prev_hash: first.hash });
  });

  it("continues from a resumed position", () => {
    const chain = createChainBuilder({ seq: 41, lastHash: "a".repeat(64), lastRecordHash: "b".repeat(64) }, undefined, fixedNow);
    expect(parse(chain.record({}).text)).toMatchObject({ seq: 42, prev_hash: "a".repeat(64) });
  });

  it("seals checkpoints into the chain, covering the last record, with signed counts", () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    const signer = loadSigner(privateKey.export({ type: "pkcs8", format: "pem" }) as string);
    const chain = createChainBuilder(GENESIS_POSITION, signer, fixedNow);
    const record = parse(chain.record({ a: 1 }).text);
    chain.noteDropped();
    const checkpoint = parse(chain.checkpoint("interval").text);
    expect(checkpoint).toMatchObject({
      type: "checkpoint",
      reason: "interval",
      seq: 1,
      prev_hash: record.hash,
      hash_of_last_record: record.hash,
      records_since_last: 1,
      dropped_since_last: 1,
      signed_at: "2025-01-01T00:00:00.000Z",
      key_id: signer.keyId,
    });
    expect(checkpointSignatureValid(checkpoint, createPublicKey(signer.privateKey))).toBe(true);
    expect(checkpointSignatureValid({ ...checkpoint, seq: 2 }, createPublicKey(signer.privateKey))).toBe(false);
    expect(parse(chain.record({ a: 2 }).text).prev_hash).toBe(checkpoint.hash);
    expect(chain.recordsSinceCheckpoint).toBe(1);
    expect(chain.droppedSinceCheckpoint).toBe(0);
  });

  it.each([
    ["seq", { seq: 9 }],
    ["prev_hash", { prev_hash: "x" }],
    ["hash", { hash: "x" }],
    ['type "checkpoint"', { type: "checkpoint" }],
  ])("refuses a record that sets %s", (_name, fields) => {
    const chain = createChainBuilder(GENESIS_POSITION, undefined, fixedNow);
    let caught: unknown;
    try {
      chain.record(fields);
    } catch (err) {
      caught = err;
    }
    expect(isAegisError(caught, "AEGIS_ERR_DECISION_LOG")).toBe(true);
    expect(parse(chain.record({ ok: true }).text).seq).toBe(1);
  });
});
