// Every case under testdata/invalid (a file, or a folder read as one policy set) against the
// exact lines `aegis validate` prints for it, kept in <case>.expected.txt. File names in the
// golden files are relative to testdata/invalid, so they do not depend on where tests run from.
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { golden } from "../../test/support/golden.ts";
import { compilePolicies, formatProblem } from "./index.ts";

const invalidDir = relative(process.cwd(), fileURLToPath(new URL("./testdata/invalid", import.meta.url)));
const cases = readdirSync(invalidDir)
  .filter((name) => !name.endsWith(".expected.txt"))
  .sort();

describe("aegis validate on invalid policies", () => {
  it("has cases to check", () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  for (const name of cases) {
    it(`reports exactly the expected problems for ${name}`, async () => {
      const result = await compilePolicies(join(invalidDir, name));
      expect(result.ok).toBe(false);
      const lines = result.ok ? [] : result.problems.map(formatProblem);
      const output = lines.map((line) => `${line.replaceAll(`${invalidDir}/`, "")}\n`).join("");
      const expectedPath = join(invalidDir, `${name.replace(/\.yaml$/, "")}.expected.txt`);
      expect(output).toBe(golden(expectedPath, output));
    });
  }
});
