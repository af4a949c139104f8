// The policy loader and `aegis test` split a policy directory along one rule: every YAML file is
// either a policy or a decision test file, never both, never neither.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { findPolicyFiles } from "../policy/find-policy-files.ts";
import { findDecisionTestFiles } from "./decision-tests.ts";

const TREE = ["acme.yaml", "acme_test.yaml", "globex.yml", "sub/agent.test.yml", "tests/cases.yaml", "sub/tests/deep/more.yaml", "contests/policy.yaml", "tests.yaml"];

describe("policy files and decision test files", () => {
  it("partition a policy directory's YAML files", async () => {
    const root = mkdtempSync(join(tmpdir(), "aegis-decision-test-files-"));
    for (const file of TREE) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), "{}\n");
    }
    const relativeTo = (paths: readonly string[]) => paths.map((p) => p.slice(root.length + 1)).sort();
    const policies = relativeTo(await findPolicyFiles(root));
    const tests = relativeTo(findDecisionTestFiles(root));
    expect(tests).toEqual(["acme_test.yaml", "sub/agent.test.yml", "sub/tests/deep/more.yaml", "tests/cases.yaml"]);
    expect([...policies, ...tests].sort()).toEqual([...TREE].sort());
  });
});
