// `aegis validate` as a user runs it: the real binary, exit codes and the exact output lines.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

function aegis(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync("bin/aegis", args, { cwd: repoRoot, encoding: "utf8", timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("aegis validate", () => {
  it("accepts the example policies with exit 0 and a one-line summary", () => {
    const { status, stdout, stderr } = aegis("validate", "policies/examples");
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toBe("aegis validate: policies/examples: ok (7 files, 1 tenant, 6 agents, 2 custom Rego modules)\n");
  });

  it("prints every problem of a broken file as file:line:col: pointer: message and exits 1", () => {
    const path = "src/policy/testdata/invalid/unknown-field-typo.yaml";
    const expected = readFileSync(`${repoRoot}/src/policy/testdata/invalid/unknown-field-typo.expected.txt`, "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => `src/policy/testdata/invalid/${line}\n`)
      .join("");
    const { status, stdout, stderr } = aegis("validate", path);
    expect(status).toBe(1);
    expect(stdout).toBe(expected);
    expect(stderr).toBe("aegis validate: 5 problems in 1 file\n");
  });

  it("reports an unreadable path in one line, without a stack trace, and exits 1", () => {
    const { status, stdout, stderr } = aegis("validate", "policies/no-such-dir");
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe("aegis: AEGIS_ERR_POLICY_READ: cannot read policies/no-such-dir: no such file or directory\n");
  });

  it("exits 2 with usage when no path is given", () => {
    const { status, stderr } = aegis("validate");
    expect(status).toBe(2);
    expect(stderr).toMatch(/^usage: aegis validate <file\|dir>/);
  });
});
