// Pure: how one decision-log line is sealed into the hash chain.
//
// Every line (record or checkpoint) carries `prev_hash` (the `hash` of the line before it, or
// GENESIS_HASH for the first line ever) and `hash` = hex SHA-256 of the RFC 8785 canonical JSON
// of the line without its `hash` member. Hashing the canonical form, not the bytes on disk, lets
// any JSON tool re-derive the hash from the parsed line.
import { hash } from "node:crypto";
import { AegisError } from "../../errors/registry.ts";
import { canonicalJsonText } from "../../canonical/canonical-json.ts";

export const GENESIS_HASH = "0".repeat(64);

/** Members the chain owns; a caller's record may not set them. */
export const CHAIN_FIELDS = ["seq", "prev_hash", "hash"] as const;

export function sha256Hex(text: string): string {
  // One-shot: no Hash object per line.
  return hash("sha256", text, "hex");
}

export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalJsonText(value);
  } catch (err) {
    throw new AegisError("AEGIS_ERR_DECISION_LOG", `decision log record is not JSON-serialisable: ${(err as Error).message}`, { cause: err });
  }
  if (text === undefined) throw new AegisError("AEGIS_ERR_DECISION_LOG", "decision log record is not JSON-serialisable");
  return text;
}

/** The hash a line must carry: SHA-256 over the canonical JSON of everything but `hash`. */
export function lineHash(line: Readonly<Record<string, unknown>>): string {
  const { hash: _ignored, ...body } = line;
  return sha256Hex(canonicalJson(body));
}

export interface SealedLine {
  /** One JSON line without the trailing newline. */
  readonly text: string;
  readonly hash: string;
}

/**
 * Seals a line body (which must not contain `hash`). The text is the canonical body with `hash`
 * appended as its last member: one canonicalisation per line, and the hash reads at the end.
 */
export function sealLine(body: Readonly<Record<string, unknown>>): SealedLine {
  const canonical = canonicalJson(body);
  if (!canonical.startsWith("{") || canonical === "{}") throw new AegisError("AEGIS_ERR_DECISION_LOG", "a decision log line must be a non-empty object");
  const hash = sha256Hex(canonical);
  return { text: `${canonical.slice(0, -1)},"hash":"${hash}"}`, hash };
}
