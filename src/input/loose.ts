// Readers that accept anything: the input stage must never throw, whatever it is handed,
// so every field of a CheckRequest is read through these.

export function asRecord(value: unknown): Readonly<Record<string, unknown>> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value)
    ? (value as Record<string, unknown>)
    : null;
}

export function asString(value: unknown): string {
  return typeof value === "string" ? value : "";
}

export function asBytes(value: unknown): Uint8Array | null {
  return value instanceof Uint8Array ? value : null;
}

/** Own string-valued entries of a proto map; anything else in it is skipped. */
export function stringEntries(value: unknown): [string, string][] {
  const record = asRecord(value);
  if (record === null) return [];
  const entries: [string, string][] = [];
  for (const key of Object.keys(record)) {
    const item = record[key];
    if (typeof item === "string") entries.push([key, item]);
  }
  return entries;
}

/** A record without a prototype, so lookups by untrusted names ("constructor", "__proto__") are plain misses. */
export function bareRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
