// The closing lines of `npm test` (scripts/test.sh): what passed and what failed across the
// typecheck, `opa test` and vitest. Anything that failed counts, not only failed assertions: a
// test file whose beforeAll timed out has no failed test, only a failed file; a vitest or opa
// run that produced no report failed entirely. The last line is always `total: N passed, M failed`
// and M > 0 whenever anything failed.
//
// Usage: node test/support/run-summary.ts --vitest FILE --vitest-exit RC --opa FILE --opa-exit RC --typecheck-exit RC
// Prints the summary and exits 1 when M > 0.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

/** The fields of vitest's JSON reporter this summary reads. */
export interface VitestReport {
  readonly numPassedTests: number;
  readonly numFailedTests: number;
  readonly numPendingTests?: number;
  readonly numTodoTests?: number;
  readonly numFailedTestSuites?: number;
  readonly success?: boolean;
  readonly testResults?: readonly { readonly name: string; readonly status: string; readonly assertionResults?: readonly { readonly status: string }[] }[];
}

/** One entry of `opa test --format=json`. */
export interface OpaResult {
  readonly fail?: boolean;
  readonly error?: unknown;
  readonly skip?: boolean;
}

export interface RunOutcome {
  /** null: the report is missing or unreadable. */
  readonly vitest: VitestReport | null;
  readonly vitestExit: number;
  readonly opa: readonly OpaResult[] | null;
  readonly opaExit: number;
  readonly typecheckExit: number;
}

export interface Summary {
  readonly passed: number;
  readonly failed: number;
  readonly lines: readonly string[];
}

export function summarize(run: RunOutcome): Summary {
  const problems: string[] = [];
  let passed = 0;
  let failed = 0;

  if (run.typecheckExit !== 0) {
    failed += 1;
    problems.push(`typecheck failed (exit ${run.typecheckExit})`);
  }

  let opaPassed = 0;
  let opaFailed = 0;
  if (run.opa === null) {
    opaFailed = 1;
    problems.push(`opa test produced no report (exit ${run.opaExit})`);
  } else {
    opaFailed = run.opa.filter((t) => t.fail === true || t.error !== undefined).length;
    opaPassed = run.opa.filter((t) => t.skip !== true).length - opaFailed;
    if (opaFailed === 0 && run.opaExit !== 0) {
      opaFailed = 1;
      problems.push(`opa test exited ${run.opaExit} with no failed test`);
    }
  }
  passed += opaPassed;
  failed += opaFailed;

  const v = run.vitest;
  let vitestFailed = 0;
  let skipped = 0;
  if (v === null) {
    vitestFailed = 1;
    problems.push(`vitest produced no report (exit ${run.vitestExit})`);
  } else {
    skipped = (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
    passed += v.numPassedTests;
    // Files that failed with no failed test in them: a hook threw or timed out, the file did not
    // load, or an error escaped. Each counts as one failure.
    const failedFiles = (v.testResults ?? []).filter((f) => f.status === "failed" && !(f.assertionResults ?? []).some((a) => a.status === "failed"));
    for (const f of failedFiles) problems.push(`failed without a failed test (hook, import or unhandled error): ${f.name}`);
    vitestFailed = v.numFailedTests + failedFiles.length;
    // Suites (describe blocks) can fail on their own hooks while the file reports otherwise.
    if (vitestFailed === 0 && (v.numFailedTestSuites ?? 0) > 0) {
      vitestFailed = v.numFailedTestSuites ?? 0;
      problems.push(`${vitestFailed} failed suite(s) with no failed test`);
    }
    if (vitestFailed === 0 && (v.success === false || run.vitestExit !== 0)) {
      vitestFailed = 1;
      problems.push(`vitest reported failure (exit ${run.vitestExit}) with no failed test or file: an unhandled error`);
    }
  }
  failed += vitestFailed;

  const lines = [
    "",
    ...problems.map((p) => `FAILED: ${p}`),
    `vitest: ${v?.numPassedTests ?? 0} passed, ${vitestFailed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}; opa test: ${opaPassed} passed, ${opaFailed} failed; typecheck: ${run.typecheckExit === 0 ? "ok" : "failed"}`,
    `total: ${passed} passed, ${failed} failed`,
  ];
  return { passed, failed, lines };
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return null;
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      vitest: { type: "string" }, "vitest-exit": { type: "string" },
      opa: { type: "string" }, "opa-exit": { type: "string" },
      "typecheck-exit": { type: "string" },
    },
  });
  const summary = summarize({
    vitest: values.vitest === undefined ? null : readJson<VitestReport>(values.vitest),
    vitestExit: Number(values["vitest-exit"] ?? 1),
    opa: values.opa === undefined ? null : readJson<OpaResult[]>(values.opa),
    opaExit: Number(values["opa-exit"] ?? 1),
    typecheckExit: Number(values["typecheck-exit"] ?? 1),
  });
  process.stdout.write(`${summary.lines.join("\n")}\n`);
  process.exitCode = summary.failed > 0 ? 1 : 0;
}
