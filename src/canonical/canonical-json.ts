// RFC 8785 canonical JSON, the one entry point for call digests, decision-log hashes and bundle
// revisions: the fast writer for plain JSON trees, the canonicalize package for anything else.
// Both write the same text (plain-canonical-json.test.ts), so a hash never depends on which ran.
import canonicalize from "canonicalize";
import { plainCanonicalJson } from "./plain-canonical-json.ts";

/** The canonical JSON text; undefined when the value has no JSON form (canonicalize's answer). May throw for a cycle or a bigint, as canonicalize does. */
export function canonicalJsonText(value: unknown): string | undefined {
  return plainCanonicalJson(value) ?? canonicalize(value);
}
