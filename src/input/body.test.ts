import { describe, expect, it } from "vitest";
import { type ParsedBody, parseBody } from "./body.ts";

interface Case {
  name: string;
  body?: string;
  raw?: Uint8Array;
  contentType?: string;
  truncated?: boolean;
  maxBytes?: number;
  expected: ParsedBody;
}

const json = (value: Record<string, unknown>): ParsedBody => ({ ok: true, kind: "json", value });
const form = (values: Record<string, string[]>): ParsedBody => ({ ok: true, kind: "form", values });
const opaque: ParsedBody = { ok: true, kind: "opaque" };
const none: ParsedBody = { ok: true, kind: "none" };
const fail = (reason: string): ParsedBody => ({ ok: false, reason });

const cases: Case[] = [
  { name: "no body", expected: none },
  { name: "JSON object", body: '{"amount":10}', contentType: "application/json", expected: json({ amount: 10 }) },
  { name: "JSON with charset", body: '{"a":1}', contentType: "Application/JSON; charset=utf-8", expected: json({ a: 1 }) },
  { name: "+json media type", body: '{"a":1}', contentType: "application/vnd.api+json", expected: json({ a: 1 }) },
  { name: "raw_body preferred over body", raw: Buffer.from('{"a":2}'), body: '{"a":1}', contentType: "application/json", expected: json({ a: 2 }) },
  { name: "bad JSON", body: '{"a":', contentType: "application/json", expected: fail("request body is not valid JSON") },
  { name: "bad JSON, truncated by Envoy", body: '{"a":', contentType: "application/json", truncated: true, expected: none },
  { name: "JSON array", body: "[1,2]", contentType: "application/json", expected: fail("JSON request body is not an object") },
  { name: "JSON scalar", body: "42", contentType: "application/json", expected: fail("JSON request body is not an object") },
  { name: "invalid UTF-8 JSON", raw: new Uint8Array([0x7b, 0xff, 0x7d]), contentType: "application/json", expected: fail("request body is not valid UTF-8") },
  { name: "invalid UTF-8 JSON, truncated", raw: new Uint8Array([0x7b, 0xe2, 0x82]), contentType: "application/json", truncated: true, expected: none },
  { name: "form", body: "amount=10&to=a+b&amount=20", contentType: "application/x-www-form-urlencoded", expected: form({ amount: ["10", "20"], to: ["a b"] }) },
  { name: "invalid UTF-8 form", raw: new Uint8Array([0x61, 0x3d, 0xff]), contentType: "application/x-www-form-urlencoded", expected: fail("request body is not valid UTF-8") },
  { name: "truncated form gives no parameters", body: "amount=100&pad=x&amount=99", contentType: "application/x-www-form-urlencoded", truncated: true, expected: none },
  { name: "truncated JSON that happens to parse gives no parameters", body: '{"amount":100}', contentType: "application/json", truncated: true, expected: none },
  { name: "truncated MCP tools/call gives no parameters", body: '{"jsonrpc":"2.0","method":"tools/call","params":{"name":"x"}}', truncated: true, expected: none },
  { name: "undeclared JSON object is read", body: ' {"method":"tools/call"}', expected: json({ method: "tools/call" }) },
  { name: "text/plain JSON object is read", body: '{"a":1}', contentType: "text/plain", expected: json({ a: 1 }) },
  { name: "undeclared non-JSON is opaque (unread, not empty)", body: "hello", expected: opaque },
  { name: "undeclared broken JSON is opaque (unread, not empty)", body: "{nope", expected: opaque },
  { name: "undeclared binary is opaque (unread, not empty)", raw: new Uint8Array([0xff, 0xfe]), expected: opaque },
  { name: "undeclared JSON array is opaque (unread, not empty)", body: "[1]", expected: opaque },
  {
    name: "JSON-RPC batch with tools/call",
    body: '[{"jsonrpc":"2.0","method":"tools/call","params":{"name":"x"}}]',
    expected: fail("JSON-RPC batches with tools/call are not supported"),
  },
  { name: "too large", body: "x".repeat(11), contentType: "text/plain", maxBytes: 10, expected: fail("request body exceeds 10 bytes") },
  { name: "size counts UTF-8 bytes", body: "ééééé€", contentType: "text/plain", maxBytes: 10, expected: fail("request body exceeds 10 bytes") },
];

describe("parseBody", () => {
  it.each(cases)("$name", ({ body, raw, contentType, truncated, maxBytes, expected }) => {
    const http = { body: body ?? "", raw_body: raw ?? Buffer.alloc(0) };
    const parsed = parseBody({ http, contentType, truncated: truncated ?? false, maxBytes: maxBytes ?? 1000 });
    if (parsed.ok && parsed.kind === "form") expect({ ok: true, kind: "form", values: { ...parsed.values } }).toEqual(expected);
    else expect(parsed).toEqual(expected);
  });
});
