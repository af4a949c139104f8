// Splits an HTTP request target into path and decoded query parameters. Repeated names keep
// every value: a policy must not see `amount=1` while the upstream reads `amount=99999`.
import { bareRecord } from "./loose.ts";

export interface SplitTarget {
  readonly path: string;
  readonly query: Readonly<Record<string, readonly string[]>>;
  /** Distinct query names exactly as written (undecoded): Envoy matches query mutations on these. */
  readonly rawQueryKeys: readonly string[];
}

export function splitTarget(target: string): SplitTarget {
  const hash = target.indexOf("#");
  const withoutFragment = hash === -1 ? target : target.slice(0, hash);
  const mark = withoutFragment.indexOf("?");
  if (mark === -1) return { path: withoutFragment, query: bareRecord(), rawQueryKeys: [] };
  const queryString = withoutFragment.slice(mark + 1);
  return { path: withoutFragment.slice(0, mark), query: parseUrlEncoded(queryString), rawQueryKeys: rawKeys(queryString) };
}

/** The decoded form of one raw query name, decoded as parseUrlEncoded decodes names. */
export function decodeQueryName(raw: string): string {
  return new URLSearchParams(raw).keys().next().value ?? "";
}

function rawKeys(queryString: string): string[] {
  const keys = new Set<string>();
  for (const pair of queryString.split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    keys.add(equals === -1 ? pair : pair.slice(0, equals));
  }
  return [...keys];
}

/** application/x-www-form-urlencoded parsing (also the query string); never throws on bad escapes. */
export function parseUrlEncoded(text: string): Record<string, string[]> {
  const values = bareRecord<string[]>();
  for (const [name, value] of new URLSearchParams(text)) {
    const list = values[name];
    if (list === undefined) values[name] = [value];
    else list.push(value);
  }
  return values;
}

/** Single values stay strings; repeated names become arrays of strings. */
export function flattenParams(values: Readonly<Record<string, readonly string[]>>): Record<string, string | string[]> {
  const flat = bareRecord<string | string[]>();
  for (const name of Object.keys(values)) {
    const list = values[name] ?? [];
    flat[name] = list.length === 1 ? list[0]! : [...list];
  }
  return flat;
}
