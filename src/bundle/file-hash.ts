// File digests exactly as OPA computes them for `.signatures.json` (bundle/hash.go, bundle/verify.go):
// raw bytes for most files; for structured files, a digest over a canonical walk of the parsed JSON,
// so whitespace and key order never matter. OPA parses numbers as json.Number (their literal text is
// kept), sorts object keys as Go strings (by UTF-8 bytes) and encodes strings with Go's encoding/json
// rules without HTML escaping. Any difference here breaks signature interoperability with OPA.
import { createHash, type Hash } from "node:crypto";
import { posix } from "node:path";
import { AegisError } from "../errors/registry.ts";

/** OPA's names for the digests it supports, minus MD5 and SHA-1, which Aegis refuses as too weak. */
const HASH_ALGORITHMS: Readonly<Record<string, string>> = {
  "SHA-224": "sha224",
  "SHA-256": "sha256",
  "SHA-384": "sha384",
  "SHA-512": "sha512",
  "SHA-512-224": "sha512-224",
  "SHA-512-256": "sha512-256",
};

export const DEFAULT_HASH_ALGORITHM = "SHA-256";

export function isSupportedHashAlgorithm(name: string): boolean {
  return Object.hasOwn(HASH_ALGORITHMS, name);
}

const STRUCTURED_BASENAMES = new Set(["data.json", "data.yaml", "signatures.json", ".manifest"]);

/** OPA's IsStructuredDoc: decided by base name only. */
export function isStructuredFile(name: string): boolean {
  return STRUCTURED_BASENAMES.has(posix.basename(name));
}

/** A JSON number as written in the file; OPA hashes the literal ("1.50" stays "1.50"). */
class JsonNumber {
  readonly literal: string;
  constructor(literal: string) {
    this.literal = literal;
  }
}

type Reviver = (this: unknown, key: string, value: unknown, context: { source?: string }) => unknown;
const parseWithSource = JSON.parse as (text: string, reviver: Reviver) => unknown;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const BOM = [0xef, 0xbb, 0xbf];

/** Parses JSON file bytes keeping number literals; throws AEGIS_ERR_BUNDLE_INVALID on bad input. */
function parseStructured(name: string, bytes: Uint8Array): unknown {
  const body = BOM.every((b, i) => bytes[i] === b) ? bytes.subarray(3) : bytes;
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new AegisError("AEGIS_ERR_BUNDLE_INVALID", `${name}: not valid UTF-8`);
  }
  try {
    return parseWithSource(text, (_key, value, context) =>
      typeof value === "number" ? new JsonNumber(context.source ?? String(value)) : value,
    );
  } catch (err) {
    throw new AegisError("AEGIS_ERR_BUNDLE_INVALID", `${name}: not valid JSON (${(err as Error).message})`);
  }
}

// Go decodes a lone surrogate escape to U+FFFD, so the canonical form must do the same.
function toGoString(s: string): string {
  return s.isWellFormed() ? s : s.toWellFormed();
}

const NEEDS_ESCAPE = /[\u0000-\u001f"\\\u2028\u2029]/;
const SHORT_ESCAPES: Readonly<Record<number, string>> = { 0x08: "\\b", 0x09: "\\t", 0x0a: "\\n", 0x0c: "\\f", 0x0d: "\\r" };

/** Go's encoding/json string encoding with SetEscapeHTML(false) (Go ≥ 1.22: \b and \f are short escapes). */
export function goJsonString(value: string): string {
  const s = toGoString(value);
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c < 0x20) out += SHORT_ESCAPES[c] ?? `\\u00${c.toString(16).padStart(2, "0")}`;
    else if (c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16)}`;
    else out += s[i];
  }
  return `${out}"`;
}

const encoder = new TextEncoder();

function compareGoStrings(a: string, b: string): number {
  return Buffer.compare(encoder.encode(a), encoder.encode(b));
}

function walk(value: unknown, write: (chunk: string) => void): void {
  if (value instanceof JsonNumber) write(value.literal);
  else if (typeof value === "string") write(goJsonString(value));
  else if (value === null || typeof value === "boolean") write(String(value));
  else if (Array.isArray(value)) {
    write("[");
    value.forEach((item, i) => {
      if (i > 0) write(",");
      walk(item, write);
    });
    write("]");
  } else {
    const entries = new Map<string, unknown>();
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) entries.set(toGoString(key), item);
    const keys = [...entries.keys()].sort(compareGoStrings);
    write("{");
    keys.forEach((key, i) => {
      if (i > 0) write(",");
      write(goJsonString(key));
      write(":");
      walk(entries.get(key), write);
    });
    write("}");
  }
}

/** The exact byte string OPA feeds its hash for a structured file. */
export function canonicalStructuredText(name: string, bytes: Uint8Array): string {
  const parts: string[] = [];
  walk(parseStructured(name, bytes), (chunk) => parts.push(chunk));
  return parts.join("");
}

function newHash(algorithm: string): Hash {
  const nodeName = HASH_ALGORITHMS[algorithm];
  if (nodeName === undefined) {
    throw new AegisError("AEGIS_ERR_BUNDLE_SIGNATURE", `hash algorithm "${algorithm}" is not supported (use SHA-256)`);
  }
  return createHash(nodeName);
}

/** Hex digest of one bundle file under OPA's rules; `name` is the path inside the bundle. */
export function hashBundleFile(name: string, bytes: Uint8Array, algorithm: string = DEFAULT_HASH_ALGORITHM): string {
  const hash = newHash(algorithm);
  if (isStructuredFile(name)) walk(parseStructured(name, bytes), (chunk) => hash.update(chunk, "utf8"));
  else hash.update(bytes);
  return hash.digest("hex");
}
