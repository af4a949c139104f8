// Parameters an upstream could read differently from the policy are ambiguous, and the request
// is refused (invalid_request) rather than guessed at:
// - two names in one object (at any depth, arrays included), one form body or one query string
//   that differ only in case: `{"amount":100,"Amount":999999}` is 100 to the policy, 999999 to
//   Go's encoding/json (case-insensitive field matching, last one wins);
// - a member name repeated in a JSON object (json-body.ts marks it);
// - a name given in both the query string and the body with different values, or spelled
//   differently in each (`?Amount=…` and `{"amount":…}`).
import { repeatedJsonMember } from "./json-body.ts";

/**
 * The case fold names are compared by: per code point, lower case, then upper case, then lower
 * case again (full mappings, no locale). Two names that Go's encoding/json matches to the same
 * field (Unicode simple case folding: "K" ≈ "k" ≈ the Kelvin sign U+212A, "S" ≈ "ſ" U+017F)
 * fold equal here, and so do names that a lower-casing upstream (Java, JavaScript) or a
 * full-case-folding one (Python's casefold, "ß" ≈ "ss") treats as one.
 */
export function foldName(name: string): string {
  // ASCII only (nearly every real name): one call, same result.
  if (/^[\x00-\x7f]*$/.test(name)) return name.toLowerCase();
  let folded = "";
  for (const char of name) folded += char.toLowerCase().toUpperCase().toLowerCase();
  return folded;
}

/** The first pair of names in `names` that differ but fold equal, else null. */
export function caseCollision(names: Iterable<string>): readonly [string, string] | null {
  const seen = new Map<string, string>();
  for (const name of names) {
    const folded = foldName(name);
    const earlier = seen.get(folded);
    if (earlier !== undefined && earlier !== name) return [earlier, name];
    seen.set(folded, name);
  }
  return null;
}

/**
 * null when no object anywhere in `value` (arrays included) has names that collide; else the
 * reason. Iterative, so depth alone cannot exhaust the stack.
 */
export function nestedCaseCollision(value: unknown): string | null {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item !== "object" || item === null) continue;
    if (Array.isArray(item)) {
      for (const element of item) stack.push(element);
      continue;
    }
    const names = Object.keys(item);
    const pair = caseCollision(names);
    if (pair !== null) return collisionReason(pair);
    for (const name of names) stack.push((item as Record<string, unknown>)[name]);
  }
  return null;
}

export type BodyParams =
  | { readonly kind: "none" }
  | { readonly kind: "json"; readonly value: Readonly<Record<string, unknown>> }
  | { readonly kind: "form"; readonly values: Readonly<Record<string, readonly string[]>> };

export interface ParamSources {
  /** Decoded query names → every value given. */
  readonly query: Readonly<Record<string, readonly string[]>>;
  /** The parsed body: for JSON the whole body (an MCP envelope included), not only its parameters. */
  readonly body: BodyParams;
  /** The body's contribution to the parameters (for MCP tools/call: params.arguments). */
  readonly bodyParams: Readonly<Record<string, unknown>>;
}

/** null when every parameter name means one thing to every reader; else the reason (a 400). */
export function ambiguousParams({ query, body, bodyParams }: ParamSources): string | null {
  const queryNames = Object.keys(query);
  const inQuery = caseCollision(queryNames);
  if (inQuery !== null) return `query string: ${collisionReason(inQuery)}`;

  if (body.kind === "json") {
    const repeated = repeatedJsonMember(body.value);
    if (repeated !== null) return `JSON body: the member name ${JSON.stringify(repeated)} is repeated`;
    const nested = nestedCaseCollision(body.value);
    if (nested !== null) return `JSON body: ${nested}`;
  } else if (body.kind === "form") {
    const inForm = caseCollision(Object.keys(body.values));
    if (inForm !== null) return `form body: ${collisionReason(inForm)}`;
  }

  if (queryNames.length === 0) return null;
  const bodyByFold = new Map<string, string>();
  for (const name of Object.keys(bodyParams)) bodyByFold.set(foldName(name), name);
  for (const name of queryNames) {
    const bodyName = bodyByFold.get(foldName(name));
    if (bodyName === undefined) continue;
    if (bodyName !== name) return `${JSON.stringify(name)} in the query string and ${JSON.stringify(bodyName)} in the body differ only in case`;
    if (!sameValue(query[name] ?? [], bodyParams[bodyName])) return `${JSON.stringify(name)} is given in both the query string and the body, with different values`;
  }
  return null;
}

function collisionReason([first, second]: readonly [string, string]): string {
  return `the parameter names ${JSON.stringify(first)} and ${JSON.stringify(second)} differ only in case`;
}

/** Whether a body value says what the query values say: the same text (a JSON number as written by JSON). */
function sameValue(queryValues: readonly string[], bodyValue: unknown): boolean {
  const asText = (value: unknown): string | null =>
    typeof value === "string" ? value : typeof value === "number" && Number.isFinite(value) ? String(value) : null;
  if (queryValues.length === 1) return asText(bodyValue) === queryValues[0];
  return Array.isArray(bodyValue) && bodyValue.length === queryValues.length && bodyValue.every((v, i) => asText(v) === queryValues[i]);
}
