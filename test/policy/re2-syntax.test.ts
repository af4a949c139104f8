// The build-time regex check (src/policy/re2-syntax.ts) against the oracle it stands in for: OPA's
// own regex.is_valid, which compiles with Go's regexp exactly as regex.match does at decision time.
// Each pattern must be refused by the check whenever OPA refuses it; where the check is stricter
// (duplicate group names), the test says so.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { anchoredPattern, re2Problem } from "../../src/policy/re2-syntax.ts";
import { opaBinary } from "../support/opa.ts";

const PATTERNS = [
  // accepted by both
  "[a-z]+", "\\d{2,3}", "(?P<n>x)", "(?<n>x)", "\\pL", "\\p{Greek}", "\\PN", "a{1000}", "(?i)abc", "\\Q.*\\E", "[[:alpha:]]",
  "\\z", "(?s).", "\\b", "\\x{10FFFF}", "(?U)a+", "[\\d-z]", "a{,3}", "[]a]", "(?m)^x$", "(?i:a)|b", "\\x41", "\\0", "\\012",
  "\\\\C", "\\\\cA", "\\\\u0041", "\\v", "\\A", "\\_", "\\n\\t\\r\\f\\a", "^$", "a|", "()",
  // refused by both: lookarounds, backreferences, possessive and atomic forms, bad repetitions
  "a(?=b)", "a(?!b)", "(?<=a)b", "(?<!a)b", "(a)\\1", "(?P=n)", "\\k<n>", "a++", "a*+", "a?+", "(?>a)", "a{1001}", "x{2}{3}",
  "a**", "(a{500}){500}", "\\Z", "\\8", "(?#comment)", "\\h", "(", ")", "\\", "[z-a]", "[a-\\d]", "\\e", "\\G", "\\K", "\\X",
  "\\R", "\\N{DIGIT ONE}", "\\p{Foo}", "\\x{110000}", "[[:foo:]]", "(?flags)", "(*ANY)", "\\o{12}", "\\U0001F600",
  // refused by Go, accepted by the C++ library: the check refuses them itself
  "\\C", "\\cA", "\\ca", "\\u0041", "\\uFFFF", "\\\\\\C", "[\\u0041]",
];
// Stricter than OPA on purpose: RE2 (C++) refuses a group name used twice, Go allows it.
const STRICTER = new Set(["(?P<n>a)(?P<n>b)"]);

function opaValidity(patterns: readonly string[]): Record<string, boolean> {
  const dir = mkdtempSync(join(tmpdir(), "aegis-re2-"));
  try {
    const file = join(dir, "probe.rego");
    writeFileSync(file, `package probe\nresult := {p: regex.is_valid(p) | some p in ${JSON.stringify(patterns)}}\n`);
    return JSON.parse(execFileSync(opaBinary(), ["eval", "-d", file, "-f", "raw", "data.probe.result"], { encoding: "utf8" })) as Record<string, boolean>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the pattern check agrees with OPA's regex.is_valid", () => {
  const all = [...PATTERNS, ...STRICTER];
  const oracle = opaValidity([...all, ...all.map(anchoredPattern)]);

  for (const pattern of PATTERNS) {
    it(`${JSON.stringify(pattern)}: ${oracle[pattern] ? "accepted" : "refused"} like OPA`, () => {
      expect(re2Problem(pattern) === null).toBe(oracle[pattern]);
      expect(re2Problem(anchoredPattern(pattern)) === null).toBe(oracle[anchoredPattern(pattern)]);
    });
  }

  for (const pattern of STRICTER) {
    it(`${JSON.stringify(pattern)}: refused, though OPA would accept it`, () => {
      expect(oracle[pattern]).toBe(true);
      expect(re2Problem(pattern)).not.toBeNull();
    });
  }

  it("names what is wrong", () => {
    expect(re2Problem("a(?=b)")).toMatch(/invalid perl operator/);
    expect(re2Problem("\\cA")).toBe("`\\c` is not an RE2 escape");
  });
});
