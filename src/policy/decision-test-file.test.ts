import { describe, expect, it } from "vitest";
import { isDecisionTestFile } from "./decision-test-file.ts";

describe("isDecisionTestFile", () => {
  it.each(["payments_test.yaml", "payments.test.yaml", "a/b_test.yml", "tests/cases.yaml", "x/tests/deep/y.yaml", "x\\tests\\y.yml"])(
    "treats %s as a decision test file",
    (path) => expect(isDecisionTestFile(path)).toBe(true),
  );

  it.each(["payments.yaml", "latest.yaml", "contests/a.yaml", "tests.yaml", "attest_policy.yaml", "tests/README.md", "tests/data.json"])(
    "treats %s as no decision test file",
    (path) => expect(isDecisionTestFile(path)).toBe(false),
  );
});
