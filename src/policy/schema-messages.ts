// Turns ajv's errors into problems a policy author can act on: the place (pointer, and whether
// the key or the value is at fault) and a sentence naming the field and what it should be.
import { childPointer } from "./json-pointer.ts";
import { suggestionSuffix } from "./did-you-mean.ts";
import type { ErrorObject } from "./schemas.ts";

export interface SchemaFinding {
  readonly pointer: string;
  readonly at: "key" | "value";
  readonly message: string;
}

// Shapes checked by a pattern, by the name of their definition in schemas/common.schema.json.
const PATTERN_MEANING: Record<string, string> = {
  name: "a name of letters, digits, `.`, `_` and `-` that starts with a letter, digit or `_`",
  actionName: "a name of letters, digits, `.`, `_` and `-` that starts with a letter, digit or `_`",
  duration: "a duration: a whole number and one unit of s, m, h or d, like `30s`, `15m`, `24h` or `7d`",
  headerName: "an HTTP header name",
  hostPattern: "a host name or a `*.suffix` wildcard, optionally with `:port`, without scheme or path",
  catalogHost: "a host name, a `*.suffix` wildcard or `*`, without scheme, port or path",
  httpMethod: "an HTTP method such as `GET`, or `*` for any",
  pathPattern: "a path starting with `/` in which `*` stands for one whole segment and `**` may only end the path",
  paramPath: "a parameter path: names (without `.`, `[` or `]`) joined by `.`, each optionally followed by `[]`, like `items[].sku`",
  pathGlob: "a path glob starting with `/`",
  scheduleHours: "a time range `HH:MM-HH:MM` on the 24-hour clock, like `09:00-17:30`",
};

function quote(value: unknown): string {
  return `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `a ${typeof value}`;
}

const TYPE_NAMES: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  number: "a number",
  integer: "a whole number",
  boolean: "true or false",
  null: "null",
};

function propertyNames(schema: unknown): string[] {
  const properties = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties === undefined ? [] : Object.keys(properties);
}

function patternMeaning(schemaPath: string): string | undefined {
  const name = /\$defs\/([A-Za-z]+)\/pattern$/.exec(schemaPath)?.[1];
  return name === undefined ? undefined : PATTERN_MEANING[name];
}

function fieldName(pointer: string): string {
  return pointer.slice(pointer.lastIndexOf("/") + 1);
}

export function describeSchemaError(err: ErrorObject): SchemaFinding {
  // An error about a key (propertyNames) points at that key and quotes it.
  if (err.propertyName !== undefined) {
    const finding = describeSchemaError({ ...err, propertyName: undefined, data: err.propertyName });
    return { ...finding, pointer: childPointer(err.instancePath, err.propertyName), at: "key" };
  }
  const pointer = err.instancePath;
  const params = err.params as Record<string, unknown>;
  const value: unknown = err.data;
  switch (err.keyword) {
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      return {
        pointer: childPointer(pointer, key),
        at: "key",
        message: `unknown field \`${key}\`${suggestionSuffix(key, propertyNames(err.parentSchema))}`,
      };
    }
    case "required":
      return { pointer, at: "value", message: `missing required field \`${String(params.missingProperty)}\`` };
    case "type": {
      // ajv rejects .inf and .nan as numbers; say why rather than "must be a number, not a number".
      if (typeof value === "number" && !Number.isFinite(value)) return { pointer, at: "value", message: `must be a finite number, not \`${value}\`` };
      const wanted = [params.type].flat().map((t) => TYPE_NAMES[String(t)] ?? String(t));
      return { pointer, at: "value", message: `must be ${wanted.join(" or ")}, not ${jsonType(value)}` };
    }
    case "const":
      return { pointer, at: "value", message: `must be ${quote(params.allowedValue)}, not ${quote(value)}` };
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof value === "string" ? suggestionSuffix(value, allowed) : "";
      return { pointer, at: "value", message: `must be one of ${allowed.map(quote).join(", ")}, not ${quote(value)}${hint}` };
    }
    case "pattern": {
      const meaning = patternMeaning(err.schemaPath) ?? `text matching ${String(params.pattern)}`;
      return { pointer, at: "value", message: `${quote(value)} is not ${meaning}` };
    }
    case "minItems":
      if (fieldName(pointer) === "actions") return { pointer, at: "value", message: "a tool must allow at least one action" };
      return { pointer, at: "value", message: `must list at least ${String(params.limit)} item${params.limit === 1 ? "" : "s"}` };
    case "uniqueItems": {
      // ajv reports the later duplicate as i and the earlier as j.
      const [later, earlier] = [Number(params.i), Number(params.j)];
      const item = Array.isArray(value) ? (value as unknown[])[later] : undefined;
      return { pointer: childPointer(pointer, later), at: "value", message: `${quote(item)} repeats item ${earlier}` };
    }
    case "minimum":
      return { pointer, at: "value", message: `must be ${String(params.limit)} or more` };
    case "exclusiveMinimum":
      return { pointer, at: "value", message: `must be more than ${String(params.limit)}` };
    case "minLength":
      return { pointer, at: "value", message: "must not be empty" };
    case "maxLength":
      return { pointer, at: "value", message: `must be at most ${String(params.limit)} characters long` };
    case "minProperties": {
      const names = propertyNames(err.parentSchema).map((n) => `\`${n}\``);
      return { pointer, at: "value", message: `must set at least one of ${names.join(", ")}` };
    }
    case "not":
      // The one `not` in the schemas: enum values are scalars.
      return { pointer, at: "value", message: `must be a string, number, boolean or null, not ${jsonType(value)}` };
    default:
      return { pointer, at: "value", message: err.message ?? `fails the schema rule \`${err.keyword}\`` };
  }
}
