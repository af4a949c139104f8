/** Parameters with every value a sanitize rule names replaced, at any depth, so they can be logged. */
export function maskParams(params: Readonly<Record<string, unknown>>, names: ReadonlySet<string>): Readonly<Record<string, unknown>> {
  if (names.size === 0) return params;
  return maskValue(params, names) as Record<string, unknown>;
}

function maskValue(value: unknown, names: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => maskValue(v, names));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = names.has(k) ? "[REDACTED]" : maskValue(v, names);
  return out;
}
