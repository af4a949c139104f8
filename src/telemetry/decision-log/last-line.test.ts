import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readFileTail } from "./last-line.ts";

const dir = mkdtempSync(join(tmpdir(), "aegis-tail-"));
function fileWith(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe("readFileTail", () => {
  it.each([
    ["several lines", "a\nbb\nccc\n", { lastLine: "ccc", completeBytes: 9, tornBytes: 0 }],
    ["a single line", "only\n", { lastLine: "only", completeBytes: 5, tornBytes: 0 }],
    ["a torn last write", "a\nbb\ncc", { lastLine: "bb", completeBytes: 5, tornBytes: 2 }],
    ["no complete line", "partial", { lastLine: null, completeBytes: 0, tornBytes: 7 }],
    ["an empty file", "", { lastLine: null, completeBytes: 0, tornBytes: 0 }],
  ])("reads %s", (name, content, expected) => {
    expect(readFileTail(fileWith(`${name}.log`, content))).toEqual(expected);
  });

  it("finds a last line longer than its read chunk", () => {
    const long = "x".repeat(200_000);
    expect(readFileTail(fileWith("long.log", `first\n${long}\n`)).lastLine).toBe(long);
  });
});
