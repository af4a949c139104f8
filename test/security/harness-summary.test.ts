// The closing line of `npm test` must not say "0 failed" when something failed: a file whose
// beforeAll timed out (no failed test, one failed file), a failed opa test, a failed typecheck,
// a run that left no report. Fed vitest/opa reports shaped like the real ones, and once through
// the script itself.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/opa.ts";
import { summarize, type RunOutcome, type VitestReport } from "../support/run-summary.ts";

const passingFile = { name: "test/a.test.ts", status: "passed", assertionResults: [{ status: "passed" }, { status: "passed" }] };
const hookTimedOut = { name: "test/runtime/budgets.test.ts", status: "failed", assertionResults: [{ status: "skipped" }, { status: "skipped" }] };
const oneFailedTest = { name: "test/b.test.ts", status: "failed", assertionResults: [{ status: "failed" }, { status: "passed" }] };

const vitest = (over: Partial<VitestReport>): VitestReport => ({
  numPassedTests: 2, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0, numFailedTestSuites: 0, success: true, testResults: [passingFile], ...over,
});
const clean: RunOutcome = { vitest: vitest({}), vitestExit: 0, opa: [{}, {}, {}], opaExit: 0, typecheckExit: 0 };
const closing = (run: RunOutcome) => summarize(run).lines.at(-1);

describe("the closing line of scripts/test.sh", () => {
  it("is total: N passed, 0 failed when everything passed", () => {
    expect(closing(clean)).toBe("total: 5 passed, 0 failed");
  });

  it("counts a file whose beforeAll timed out (failed suite, 0 failed tests) as a failure", () => {
    const run = { ...clean, vitest: vitest({ numFailedTestSuites: 1, success: false, testResults: [passingFile, hookTimedOut], numPendingTests: 2 }), vitestExit: 1 };
    const summary = summarize(run);
    expect(summary.failed).toBeGreaterThanOrEqual(1);
    expect(summary.lines.at(-1)).toMatch(/^total: 5 passed, [1-9]\d* failed$/);
    expect(summary.lines.join("\n")).toContain("test/runtime/budgets.test.ts");
  });

  it("counts a failed suite even when no file is marked failed", () => {
    expect(summarize({ ...clean, vitest: vitest({ numFailedTestSuites: 2, success: false }), vitestExit: 1 }).failed).toBe(2);
  });

  it("does not count a file twice for its failed test", () => {
    expect(summarize({ ...clean, vitest: vitest({ numFailedTests: 1, numFailedTestSuites: 1, success: false, testResults: [oneFailedTest] }), vitestExit: 1 }).failed).toBe(1);
  });

  it("counts failed and erroring opa tests, a failed typecheck, a failing exit without report entries, and missing reports", () => {
    expect(summarize({ ...clean, opa: [{}, { fail: true }, { error: { code: "eval_error" } }], opaExit: 2 }).failed).toBe(2);
    expect(summarize({ ...clean, typecheckExit: 2 }).failed).toBe(1);
    expect(summarize({ ...clean, vitestExit: 1, vitest: vitest({ success: false }) }).failed).toBe(1);
    expect(summarize({ ...clean, vitest: null, vitestExit: 1 }).failed).toBe(1);
    expect(summarize({ ...clean, opa: null, opaExit: 1 }).failed).toBe(1);
  });

  it("as a command: prints the closing line alone on the last line and exits non-zero when M > 0", () => {
    const dir = mkdtempSync(join(tmpdir(), "aegis-summary-"));
    writeFileSync(join(dir, "vitest.json"), JSON.stringify(vitest({ numFailedTestSuites: 1, success: false, testResults: [hookTimedOut] })));
    writeFileSync(join(dir, "opa.json"), JSON.stringify([{}, {}]));
    const run = (vitestExit: string) => spawnSync(process.execPath, ["test/support/run-summary.ts", "--vitest", join(dir, "vitest.json"), "--vitest-exit", vitestExit, "--opa", join(dir, "opa.json"), "--opa-exit", "0", "--typecheck-exit", "0"], { cwd: REPO_ROOT, encoding: "utf8" });
    const failed = run("1");
    expect(failed.status).toBe(1);
    expect(failed.stdout.trimEnd().split("\n").at(-1)).toBe("total: 4 passed, 1 failed");
    writeFileSync(join(dir, "vitest.json"), JSON.stringify(vitest({})));
    const passed = run("0");
    expect(passed.status, passed.stdout + passed.stderr).toBe(0);
    expect(passed.stdout.trimEnd().split("\n").at(-1)).toBe("total: 4 passed, 0 failed");
  });
});
