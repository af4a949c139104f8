// The request body as parameters. JSON and form bodies are parsed strictly when declared; an
// undeclared body that looks like a JSON object is parsed too, because upstreams (MCP servers
// in particular) often ignore the content type, and the policy must see what they will see.
// A partial body gives no parameters at all: what follows the cut ("amount":999999 at the end,
// a form field repeated past it) is what the upstream reads, so the part is never judged as the
// whole. The Rego denies body_truncated unless the call's policy reads nothing from the body.
import { parseJsonBody } from "./json-body.ts";
import { asBytes, asString } from "./loose.ts";
import { parseUrlEncoded } from "./query-string.ts";

export type ParsedBody =
  | { readonly ok: true; readonly kind: "none" }
  | { readonly ok: true; readonly kind: "json"; readonly value: Record<string, unknown> }
  | { readonly ok: true; readonly kind: "form"; readonly values: Record<string, string[]> }
  // A body Aegis does not read (multipart, text, binary, a JSON array): its parameters are unknown,
  // so a policy that reads parameters from the body must not judge it as if it had none.
  | { readonly ok: true; readonly kind: "opaque" }
  | { readonly ok: false; readonly reason: string };

export interface BodyInput {
  readonly http: Readonly<Record<string, unknown>> | null;
  readonly contentType: string | undefined;
  readonly truncated: boolean;
  readonly maxBytes: number;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const NONE: ParsedBody = { ok: true, kind: "none" };
const OPAQUE: ParsedBody = { ok: true, kind: "opaque" };

export function parseBody({ http, contentType, truncated, maxBytes }: BodyInput): ParsedBody {
  // raw_body is what Envoy sends with pack_as_bytes; body otherwise.
  const raw = asBytes(http?.["raw_body"]);
  const useRaw = raw !== null && raw.length > 0;
  const size = useRaw ? raw.length : Buffer.byteLength(asString(http?.["body"]));
  if (size === 0) return NONE;
  if (size > maxBytes) return { ok: false, reason: `request body exceeds ${maxBytes} bytes` };
  if (truncated) return NONE;
  // Envoy joins a repeated Content-Type with ",", and a comma outside a quoted parameter is no
  // one media type: Rack and PHP read "application/x-www-form-urlencoded,text/plain" as a form,
  // while here it would be an unknown type with no body parameters at all.
  if (severalMediaTypes(contentType)) return { ok: false, reason: "content-type names more than one media type" };

  const media = mediaType(contentType);
  const declaredJson = media === "application/json" || media.endsWith("+json");
  const declaredForm = media === "application/x-www-form-urlencoded";
  let text: string;
  try {
    text = useRaw ? strictUtf8.decode(raw) : asString(http?.["body"]);
  } catch {
    return declaredJson || declaredForm ? { ok: false, reason: "request body is not valid UTF-8" } : OPAQUE;
  }

  if (declaredForm) return { ok: true, kind: "form", values: parseUrlEncoded(text) };
  const trimmed = text.trimStart();
  if (!declaredJson && !trimmed.startsWith("{") && !trimmed.startsWith("[")) return OPAQUE;

  let value: unknown;
  try {
    value = parseJsonBody(text);
  } catch {
    return declaredJson ? { ok: false, reason: "request body is not valid JSON" } : OPAQUE;
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    return { ok: true, kind: "json", value: value as Record<string, unknown> };
  }
  // A JSON-RPC batch would smuggle several tool calls past one decision.
  if (Array.isArray(value) && value.some(isToolsCall)) {
    return { ok: false, reason: "JSON-RPC batches with tools/call are not supported" };
  }
  return declaredJson ? { ok: false, reason: "JSON request body is not an object" } : OPAQUE;
}

function severalMediaTypes(contentType: string | undefined): boolean {
  // Quoted strings (with their backslash escapes) removed, so `; x="a,b"` stays one media type.
  return (contentType ?? "").replace(/"(?:[^"\\]|\\.)*"/g, "").includes(",");
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";", 1)[0]!.trim().toLowerCase();
}

function isToolsCall(item: unknown): boolean {
  return typeof item === "object" && item !== null && (item as Record<string, unknown>)["method"] === "tools/call";
}
