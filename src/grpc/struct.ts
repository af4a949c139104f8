// JSON values ⇄ google.protobuf.Struct in the shape proto-loader produces and accepts.
import type { Struct, StructValue } from "./ext-authz-types.ts";

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export function toStruct(object: { readonly [key: string]: JsonValue }): Struct {
  const fields: Record<string, StructValue> = {};
  for (const [key, value] of Object.entries(object)) fields[key] = toStructValue(value);
  return { fields };
}

export function toStructValue(value: JsonValue): StructValue {
  if (value === null) return { kind: "nullValue", nullValue: "NULL_VALUE" };
  if (typeof value === "boolean") return { kind: "boolValue", boolValue: value };
  if (typeof value === "number") return { kind: "numberValue", numberValue: value };
  if (typeof value === "string") return { kind: "stringValue", stringValue: value };
  if (isList(value)) return { kind: "listValue", listValue: { values: value.map(toStructValue) } };
  return { kind: "structValue", structValue: toStruct(value) };
}

export function fromStruct(struct: Struct): { [key: string]: JsonValue } {
  const object: { [key: string]: JsonValue } = {};
  for (const [key, value] of Object.entries(struct.fields)) object[key] = fromStructValue(value);
  return object;
}

export function fromStructValue(value: StructValue): JsonValue {
  switch (value.kind) {
    case "nullValue":
      return null;
    case "boolValue":
      return value.boolValue;
    case "numberValue":
      return value.numberValue;
    case "stringValue":
      return value.stringValue;
    case "listValue":
      return value.listValue.values.map(fromStructValue);
    case "structValue":
      return fromStruct(value.structValue);
  }
}

// Array.isArray does not narrow readonly arrays out of a union.
function isList(value: readonly JsonValue[] | { readonly [key: string]: JsonValue }): value is readonly JsonValue[] {
  return Array.isArray(value);
}
