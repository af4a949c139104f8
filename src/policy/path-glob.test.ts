import { describe, expect, it } from "vitest";
import { globProblem, globRegex } from "./path-glob.ts";

// Values as policies/aegis/params.rego resolves them: "/<segment>" per segment, "" for the root.
const cases: [string, string, boolean][] = [
  ["/docs/**", "/docs", true],
  ["/docs/**", "/docs/a/b.md", true],
  ["/docs/**", "/docsx", false],
  ["/docs/**", "", false],
  ["/**", "", true],
  ["/**", "/anything/at/all", true],
  ["/pub/*.md", "/pub/a.md", true],
  ["/pub/*.md", "/pub/a/b.md", false],
  ["/pub/*.md", "/pub/amd", false],
  ["/a/**/b", "/a/b", true],
  ["/a/**/b", "/a/x/y/b", true],
  ["/a/**/b", "/a/x/y/c", false],
  ["/docs/", "/docs", true],
  ["/", "", true],
  ["/a+b/(c)", "/a+b/(c)", true],
  ["/a+b/(c)", "/aab/c", false],
];

describe("path globs compiled to RE2", () => {
  for (const [glob, value, expected] of cases) {
    it(`${glob} ${expected ? "matches" : "does not match"} ${JSON.stringify(value)}`, () => {
      expect(globProblem(glob)).toBeNull();
      expect(new RegExp(globRegex(glob), "u").test(value)).toBe(expected);
    });
  }

  it("refuses ** inside a segment, dot segments and empty segments", () => {
    expect(globProblem("/docs/a**")).toMatch(/whole segment/);
    expect(globProblem("/docs/**x/y")).toMatch(/whole segment/);
    expect(globProblem("/docs/../etc")).toMatch(/`\.\.` segments/);
    expect(globProblem("/./docs")).toMatch(/`\.` segments/);
    expect(globProblem("/docs//a")).toMatch(/empty segments/);
  });
});
