import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isAegisError } from "../../errors/registry.ts";
import { GENESIS_HASH, lineHash, sealLine } from "./chain.ts";

describe("sealLine", () => {
  it("hashes the RFC 8785 canonical JSON of the body, whatever the key order", () => {
    const body = { z: 1, a: "x", seq: 1, prev_hash: GENESIS_HASH };
    const canonical = `{"a":"x","prev_hash":"${GENESIS_HASH}","seq":1,"z":1}`;
    const sealed = sealLine(body);
    expect(sealed.hash).toBe(createHash("sha256").update(canonical).digest("hex"));
    expect(sealLine({ seq: 1, prev_hash: GENESIS_HASH, a: "x", z: 1 }).hash).toBe(sealed.hash);
  });

  it("writes one JSON line whose hash re-derives from its parsed content", () => {
    const sealed = sealLine({ note: "line\nbreak é", n: 1.5, seq: 3, prev_hash: GENESIS_HASH });
    expect(sealed.text).not.toContain("\n");
    const parsed = JSON.parse(sealed.text) as Record<string, unknown>;
    expect(parsed.hash).toBe(sealed.hash);
    expect(lineHash(parsed)).toBe(sealed.hash);
  });

  it("changes the hash when any field changes", () => {
    const sealed = JSON.parse(sealLine({ amount: 100, seq: 1, prev_hash: GENESIS_HASH }).text) as Record<string, unknown>;
    expect(lineHash({ ...sealed, amount: 101 })).not.toBe(sealed.hash);
  });

  it.each([
    ["NaN", { x: Number.NaN }],
    ["a lone surrogate", { x: "\ud800" }],
  ])("refuses a record containing %s with AEGIS_ERR_DECISION_LOG", (_name, body) => {
    let caught: unknown;
    try {
      sealLine({ ...body, seq: 1, prev_hash: GENESIS_HASH });
    } catch (err) {
      caught = err;
    }
    expect(isAegisError(caught, "AEGIS_ERR_DECISION_LOG")).toBe(true);
  });
});
