import { describe, expect, it } from "vitest";
import { AEGIS_METADATA, aegisMetadataOf, parseManifest } from "./manifest.ts";

describe("parseManifest", () => {
  it("fills OPA's defaults for absent fields", () => {
    expect(parseManifest({})).toEqual({ revision: "", roots: [""], wasm: [], metadata: {} });
  });

  it("keeps what opa build writes", () => {
    const written = {
      revision: "abc",
      roots: ["aegis", "partial"],
      wasm: [{ entrypoint: "aegis/decision", module: "/policy.wasm" }],
      rego_version: 1,
      metadata: { aegis: AEGIS_METADATA },
    };
    expect(parseManifest(written)).toEqual(written);
  });

  it.each([
    ["not an object", [], /must be a JSON object/],
    ["revision not a string", { revision: 1 }, /"revision" must be a string/],
    ["roots not strings", { roots: [1] }, /"roots" must be an array of strings/],
    ["wasm entry without module", { wasm: [{ entrypoint: "a" }] }, /"wasm\[0\]"/],
    ["metadata not an object", { metadata: "x" }, /"metadata" must be an object/],
  ])("rejects a manifest with %s", (_name, value, message) => {
    expect(() => parseManifest(value)).toThrow(message);
  });
});

describe("aegisMetadataOf", () => {
  it("returns the Aegis block", () => {
    expect(aegisMetadataOf(parseManifest({ metadata: { aegis: AEGIS_METADATA } }))).toEqual(AEGIS_METADATA);
  });

  it.each([
    ["missing", {}, /metadata.aegis is missing/],
    ["of another format", { aegis: { format: 2, entrypoints: {} } }, /format 2 is not supported/],
    ["with a malformed entrypoint", { aegis: { format: 1, entrypoints: { e: { input: "x" } } } }, /entrypoints\["e"\]/],
  ])("rejects a block %s", (_name, metadata, message) => {
    expect(() => aegisMetadataOf(parseManifest({ metadata }))).toThrow(message);
  });
});
