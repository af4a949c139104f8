// Deterministic JSON: object keys sorted at every level (arrays keep their order, which the
// compiler has already made meaningful or sorted), so equal inputs give byte-identical output.
import type { PolicyData } from "./policy-data.ts";

export function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => sortKeysDeep(item)) as T;
  if (typeof value !== "object" || value === null) return value;
  // fromEntries defines own properties, so even a key named "__proto__" stays data.
  const entries = Object.keys(value)
    .sort()
    .map((key) => [key, sortKeysDeep((value as Record<string, unknown>)[key])] as const);
  return Object.fromEntries(entries) as T;
}

export function policyDataJson(data: PolicyData): string {
  return `${JSON.stringify(sortKeysDeep(data), null, 2)}\n`;
}
