// RFC 8785 canonical JSON of plain JSON trees, ~1.5x as fast as the canonicalize package on a
// decision record (which is sealed on the check path). It writes exactly what canonicalize
// writes (plain-canonical-json.test.ts compares the two on arbitrary values); anything that is
// not a plain tree of bounded depth (toJSON, boxed primitives, bigint, a cycle, deep nesting)
// is left to canonicalize by returning null.

/** Deeper than any record holds (parameters are depth-limited at input): leave it to the library. */
const MAX_DEPTH = 64;

const NOT_PLAIN = new Error("not a plain JSON tree");

/** The canonical JSON text; null when the value needs the canonicalize package. */
export function plainCanonicalJson(value: unknown): string | null {
  try {
    return write(value, 0);
  } catch {
    // Not plain, or a getter threw: canonicalize runs again and reports it its own way.
    return null;
  }
}

function write(value: unknown, depth: number): string {
  switch (typeof value) {
    case "string":
      return text(value);
    case "number":
      if (!Number.isFinite(value)) throw NOT_PLAIN;
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "object":
      break;
    default:
      throw NOT_PLAIN;
  }
  if (value === null) return "null";
  if (depth >= MAX_DEPTH || typeof (value as { toJSON?: unknown }).toJSON === "function" || value instanceof Number || value instanceof String || value instanceof Boolean) throw NOT_PLAIN;
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      const item: unknown = value[i];
      out += item === undefined || typeof item === "function" || typeof item === "symbol" ? "null" : write(item, depth + 1);
    }
    return out + "]";
  }
  const record = value as Record<string, unknown>;
  // The default sort compares UTF-16 code units, the order RFC 8785 requires.
  const keys = Object.keys(record).sort();
  let out = "{";
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
    out += (first ? "" : ",") + memberName(key) + ":" + write(item, depth + 1);
    first = false;
  }
  return out + "}";
}

function text(value: string): string {
  const json = JSON.stringify(value);
  // JSON.stringify writes a lone surrogate as "\udXXX", which canonicalize refuses with its own
  // message: let it. Only a string whose JSON holds "\ud" needs the full check.
  if (json.includes("\\ud") && !value.isWellFormed()) throw NOT_PLAIN;
  return json;
}

// Records repeat the same member names; caching their JSON skips most string work. Bounded in
// count and length, since parameter names come from the request.
const MEMBER_NAMES = new Map<string, string>();
const MAX_MEMBER_NAMES = 1024;
const MAX_CACHED_NAME_LENGTH = 64;

function memberName(name: string): string {
  const cached = MEMBER_NAMES.get(name);
  if (cached !== undefined) return cached;
  const json = text(name);
  if (MEMBER_NAMES.size < MAX_MEMBER_NAMES && name.length <= MAX_CACHED_NAME_LENGTH) MEMBER_NAMES.set(name, json);
  return json;
}
