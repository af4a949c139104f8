import { LineCounter, parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { locate, pointerAt } from "./locate.ts";
import type { SourceDocument } from "./source-document.ts";

const TEXT = [
  "kind: AgentPolicy", //                      line 1
  "allowed_tools:", //                         line 2
  "  - name: stripe-payments", //              line 3
  "    actions: [create_payment, refund]", //  line 4
  "    conditions:", //                        line 5
  "approvals: { channels: [api] }", //         line 6
  "",
].join("\n");

function source(text: string): SourceDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: true });
  return { file: "f.yaml", doc, lineCounter, value: doc.toJS() };
}

describe("locate", () => {
  const src = source(TEXT);

  it.each([
    ["", 1, 1],
    ["/kind", 1, 7],
    ["/allowed_tools/0", 3, 5],
    ["/allowed_tools/0/name", 3, 11],
    ["/allowed_tools/0/actions/1", 4, 31],
    ["/approvals/channels/0", 6, 25],
  ])("finds the value at %s (line %i, col %i)", (pointer, line, col) => {
    expect(locate(src, pointer)).toEqual({ line, col });
  });

  it("finds the key itself when asked, for unknown-field problems", () => {
    expect(locate(src, "/allowed_tools/0/actions", "key")).toEqual({ line: 4, col: 5 });
  });

  it("lands on the key of an empty value", () => {
    expect(locate(src, "/allowed_tools/0/conditions")).toEqual({ line: 5, col: 5 });
  });

  it("lands on the nearest present ancestor of something absent", () => {
    expect(locate(src, "/allowed_tools/0/conditions/max_amount")).toEqual({ line: 5, col: 5 });
    expect(locate(src, "/allowed_tools/3/name")).toEqual({ line: 3, col: 3 });
    expect(locate(src, "/budgets/0")).toEqual({ line: 1, col: 1 });
  });
});

describe("pointerAt", () => {
  const { doc } = source(TEXT);

  it("names the deepest key or item holding an offset", () => {
    expect(pointerAt(doc, TEXT.indexOf("refund"))).toBe("/allowed_tools/0/actions/1");
    expect(pointerAt(doc, TEXT.indexOf("conditions"))).toBe("/allowed_tools/0/conditions");
    expect(pointerAt(doc, TEXT.indexOf("kind"))).toBe("/kind");
  });

  it("escapes keys per RFC 6901", () => {
    const escaped = source("a/b: { c~d: 1 }\n");
    expect(pointerAt(escaped.doc, 7)).toBe("/a~1b/c~0d");
    expect(locate(escaped, "/a~1b/c~0d")).toEqual({ line: 1, col: 13 });
  });
});
