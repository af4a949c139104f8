// The request body as a sanitize decision wants it upstream: every body parameter the policy
// names replaced by "[REDACTED]" at any depth (JSON), in every repetition (forms), and for an
// MCP tools/call only inside params.arguments (the JSON-RPC envelope is not parameters). The
// body is read with the parser ext_authz used, so both see the same parameters; names match
// case-insensitively, as in the decision.
import { REDACTED_VALUE } from "../authz/mask-params.ts";
import { parseBody } from "../input/body.ts";

export type RequestBodyRedaction =
  | { readonly ok: true; readonly body: Buffer; readonly redacted: number }
  | { readonly ok: false; readonly reason: string };

export interface RequestBodyInput {
  readonly body: Buffer;
  readonly contentType: string | undefined;
  readonly names: readonly string[];
  /** The request is a JSON-RPC message to an MCP server: only params.arguments are parameters. */
  readonly mcp: boolean;
  readonly maxBytes: number;
}

export function redactRequestBody(input: RequestBodyInput): RequestBodyRedaction {
  const names = new Set(input.names.map((n) => n.toLowerCase()));
  const parsed = parseBody({ http: { raw_body: input.body }, contentType: input.contentType, truncated: false, maxBytes: input.maxBytes });
  if (!parsed.ok) return { ok: false, reason: parsed.reason };
  if (parsed.kind === "none" || parsed.kind === "opaque" || names.size === 0) return { ok: true, body: input.body, redacted: 0 };
  if (parsed.kind === "form") return redactForm(input.body.toString("utf8"), names);

  const counter = { redacted: 0 };
  let value: unknown = parsed.value;
  if (input.mcp) {
    const params = parsed.value["params"];
    if (isRecord(params) && isRecord(params["arguments"])) {
      const args = redactJson(params["arguments"], names, counter);
      value = withKey(parsed.value, "params", withKey(params, "arguments", args));
    }
  } else {
    value = redactJson(parsed.value, names, counter);
  }
  if (counter.redacted === 0) return { ok: true, body: input.body, redacted: 0 };
  return { ok: true, body: Buffer.from(JSON.stringify(value), "utf8"), redacted: counter.redacted };
}

function redactJson(value: unknown, names: ReadonlySet<string>, counter: { redacted: number }): unknown {
  if (Array.isArray(value)) return value.map((v) => redactJson(v, names, counter));
  if (!isRecord(value)) return value;
  let out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    let next: unknown;
    if (names.has(key.toLowerCase())) {
      counter.redacted++;
      next = REDACTED_VALUE;
    } else {
      next = redactJson(value[key], names, counter);
    }
    out = withKey(out, key, next, true);
  }
  return out;
}

// Pairs are rewritten in place: the others keep their bytes, so the upstream parses the same form.
function redactForm(text: string, names: ReadonlySet<string>): RequestBodyRedaction {
  let redacted = 0;
  const pairs = text.split("&").map((pair) => {
    if (pair === "") return pair;
    const equals = pair.indexOf("=");
    const rawName = equals === -1 ? pair : pair.slice(0, equals);
    const name = new URLSearchParams(`${rawName}=`).keys().next().value ?? "";
    if (!names.has(name.toLowerCase())) return pair;
    redacted++;
    return `${rawName}=${encodeURIComponent(REDACTED_VALUE)}`;
  });
  return { ok: true, body: redacted === 0 ? Buffer.from(text, "utf8") : Buffer.from(pairs.join("&"), "utf8"), redacted };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// Defined, not assigned: "__proto__" stays a key the upstream receives.
function withKey(record: Record<string, unknown>, key: string, value: unknown, inPlace = false): Record<string, unknown> {
  const out = inPlace ? record : Object.fromEntries(Object.entries(record));
  if (!inPlace) for (const k of Object.keys(record)) Object.defineProperty(out, k, { value: record[k], enumerable: true, writable: true, configurable: true });
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}
