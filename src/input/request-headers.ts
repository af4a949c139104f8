// One lower-cased header map from either form Envoy may send: the merged `headers` map, or
// `header_map` (raw, unmerged; sent instead when encode_raw_headers is on).
import { asBytes, asRecord, asString, bareRecord } from "./loose.ts";

const utf8 = new TextDecoder("utf-8");

export function requestHeaders(http: unknown): Readonly<Record<string, string>> {
  const headers = bareRecord<string>();
  const add = (name: string, value: string): void => {
    const key = name.toLowerCase();
    const existing = headers[key];
    // Repeated headers are joined as HTTP allows (RFC 9110 §5.3), the way Envoy merges `headers`.
    headers[key] = existing === undefined ? value : `${existing},${value}`;
  };
  const record = asRecord(http);
  // The merged map, read in place: this runs on every check.
  const merged = asRecord(record?.["headers"]);
  if (merged !== null) {
    for (const name of Object.keys(merged)) {
      const value = merged[name];
      if (typeof value === "string") add(name, value);
    }
  }
  const list = asRecord(record?.["header_map"])?.["headers"];
  if (Array.isArray(list)) {
    for (const item of list) {
      const entry = asRecord(item);
      const name = asString(entry?.["key"]);
      if (name === "") continue;
      const raw = asBytes(entry?.["raw_value"]);
      add(name, raw !== null && raw.length > 0 ? utf8.decode(raw) : asString(entry?.["value"]));
    }
  }
  return headers;
}
