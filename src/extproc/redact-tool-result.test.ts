import { describe, expect, it } from "vitest";
import { compileResponseRule, redactToolResultMessage } from "./redact-tool-result.ts";
import { filterToolsListMessage } from "../mcp/tools-list-filter.ts";

const rule = compileResponseRule({ paths: ["structuredContent.token", "content.*.annotations"], patterns: ["api_key", "card_number"], regexes: ["ACME-[0-9]{6}"], rule_id: "r" });

describe("redactToolResultMessage", () => {
  it("redacts paths whole and patterns inside strings, reporting kind, name and place, never the value", () => {
    const message = {
      jsonrpc: "2.0", id: 1,
      result: { content: [{ type: "text", text: "key sk_live_abcdefghijklmnop1234 ticket ACME-123456", annotations: { x: 1 } }], structuredContent: { token: "t", card: "4111111111111111" } },
    };
    const { message: out, redactions } = redactToolResultMessage(message, rule);
    expect(out).toEqual({
      jsonrpc: "2.0", id: 1,
      result: { content: [{ type: "text", text: "key [REDACTED] ticket [REDACTED]", annotations: "[REDACTED]" }], structuredContent: { token: "[REDACTED]", card: "[REDACTED]" } },
    });
    expect(redactions.map((r) => `${r.kind}:${r.name}@${r.at}`).sort()).toEqual([
      "path:content.*.annotations@content.0.annotations",
      "path:structuredContent.token@structuredContent.token",
      "pattern:api_key@content.0.text",
      "pattern:card_number@structuredContent.card",
      "regex:regexes/0@content.0.text",
    ]);
    expect(JSON.stringify(redactions)).not.toContain("sk_live");
  });

  it("returns the same object when nothing matched, and leaves requests and errors alone", () => {
    const clean = { jsonrpc: "2.0", id: 2, result: { content: [{ type: "text", text: "nothing here" }] } };
    expect(redactToolResultMessage(clean, rule).message).toBe(clean);
    const request = { jsonrpc: "2.0", id: 3, method: "sampling/createMessage", params: { text: "sk_live_abcdefghijklmnop1234" } };
    expect(redactToolResultMessage(request, rule).message).toBe(request);
  });

  it("keeps a __proto__ key of a result as data", () => {
    const message = JSON.parse('{"jsonrpc":"2.0","id":1,"result":{"__proto__":{"token":"x"},"structuredContent":{"token":"y"}}}') as unknown;
    const out = redactToolResultMessage(message, rule).message as { result: Record<string, unknown> };
    expect(Object.keys(out.result)).toEqual(["__proto__", "structuredContent"]);
  });
});

describe("filterToolsListMessage", () => {
  it("keeps only allowed tools; entries without a name are dropped", () => {
    const message = { jsonrpc: "2.0", id: 1, result: { tools: [{ name: "a" }, { name: "b" }, { title: "nameless" }], nextCursor: "c" } };
    const { message: out, hidden } = filterToolsListMessage(message, new Set(["a"]));
    expect(out).toEqual({ jsonrpc: "2.0", id: 1, result: { tools: [{ name: "a" }], nextCursor: "c" } });
    expect(hidden).toEqual(["b", ""]);
  });

  it("passes error responses and notifications untouched", () => {
    const error = { jsonrpc: "2.0", id: 1, error: { code: -1, message: "x" } };
    expect(filterToolsListMessage(error, new Set()).message).toBe(error);
  });
});
