// The default bundle revision: a content hash, so the same policies always get the same revision
// (decisions name it as policy_version) and any change to data or Rego gets a new one.
import { createHash } from "node:crypto";
import { canonicalJsonText } from "../canonical/canonical-json.ts";
import { AegisError } from "../errors/registry.ts";
import { AEGIS_BUNDLE_FORMAT } from "./manifest.ts";
import type { RegoSource } from "./rego-sources.ts";

/** 16 hex digits (64 bits) of SHA-256: short enough to read in logs, far from colliding in practice. */
export const REVISION_HEX_LENGTH = 16;

export function contentRevision(data: unknown, rego: readonly RegoSource[]): string {
  const files = [...rego]
    .sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)))
    .map((f) => [f.name, Buffer.from(f.bytes).toString("base64")]);
  // RFC 8785 canonical JSON: independent of key order and number formatting in `data`.
  const text = canonicalJsonText({ format: AEGIS_BUNDLE_FORMAT, data, rego: files });
  if (text === undefined) throw new AegisError("AEGIS_ERR_BUNDLE_INVALID", "bundle data is not JSON-serialisable");
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, REVISION_HEX_LENGTH);
}
