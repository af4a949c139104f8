// aegis test <dir> [--bundle B]: runs the YAML decision test cases under <dir> against a bundle,
// built from the policies in <dir> with the real OPA compiler unless --bundle names one.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseCommand } from "../parse-command.ts";
import { createPolicyContext } from "../../authz/policy-context.ts";
import { buildBundle } from "../../bundle/build.ts";
import { defaultRegoDir } from "../../bundle/library-dir.ts";
import { decide } from "../../engine/decide.ts";
import { openBundleFile } from "../../engine/open-bundle.ts";
import { compilePolicyDir } from "../../bundle/policy-dir.ts";
import { formatProblem } from "../../policy/index.ts";
import { runCustomRegoTests } from "../../decision-tests/custom-rego-tests.ts";
import { findDecisionTestFiles, loadDecisionCases, runDecisionCases, sideBySide } from "../../decision-tests/decision-tests.ts";

const USAGE = "usage: aegis test <dir> [--bundle <bundle.tar.gz>] [--verbose]\n";

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand("test", USAGE, { args, allowPositionals: true, options: { bundle: { type: "string" }, verbose: { type: "boolean", short: "v" }, help: { type: "boolean", short: "h" } } });
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const [dir] = positionals;
  if (dir === undefined || positionals.length !== 1) {
    process.stderr.write(USAGE);
    return 2;
  }

  const { cases, problems } = loadDecisionCases(findDecisionTestFiles(dir));
  if (problems.length > 0) {
    process.stdout.write(problems.map((p) => `${p}\n`).join(""));
    return 1;
  }
  if (cases.length === 0) {
    process.stderr.write(`aegis test: no decision test files (*_test.yaml, tests/*.yaml) under ${dir}\n`);
    return 1;
  }

  let scratch: string | null = null;
  let bundlePath = values.bundle;
  let regoTestsPassed = true;
  if (bundlePath === undefined) {
    const compiled = await compilePolicyDir(dir, defaultRegoDir());
    if (!compiled.ok) {
      process.stdout.write(compiled.problems.map((p) => `${formatProblem(p)}\n`).join(""));
      return 1;
    }
    // The custom modules' own *_test.rego, with the real opa test, before the decision cases.
    const regoTests = await runCustomRegoTests(compiled.custom, dir, defaultRegoDir(), compiled.data);
    if (regoTests !== null) {
      regoTestsPassed = regoTests.passed;
      process.stdout.write(`opa test (custom Rego): ${regoTests.passed ? "passed" : "FAILED"}\n${regoTests.passed && values.verbose !== true ? "" : regoTests.output}`);
    }
    scratch = mkdtempSync(join(tmpdir(), "aegis-test-"));
    bundlePath = join(scratch, "bundle.tar.gz");
    await buildBundle({ data: compiled.data, regoDir: defaultRegoDir(), outFile: bundlePath, custom: compiled.custom });
  }

  const { engine, contents } = await openBundleFile(bundlePath);
  try {
    const policy = createPolicyContext(engine.revision, contents);
    const zonesOf = (tenant: string | null, agent: string | null) => (tenant === null || agent === null ? [] : policy.agent(tenant, agent)?.scheduleZones ?? []);
    const results = await runDecisionCases(cases, (input) => decide(engine, input), zonesOf);
    let failed = 0;
    for (const { testCase, failures, decision } of results) {
      const where = `${relative(process.cwd(), testCase.file)}: ${testCase.name}`;
      if (failures.length > 0) {
        failed++;
        const table = decision === null ? [] : sideBySide(testCase.expect, decision);
        process.stdout.write(`FAIL ${where}\n${[...failures, ...table].map((f) => `     ${f}\n`).join("")}`);
      } else if (values.verbose === true) {
        process.stdout.write(`ok   ${where}\n`);
      }
    }
    process.stdout.write(`aegis test: ${results.length - failed} passed, ${failed} failed (bundle revision ${engine.revision})\n`);
    return failed === 0 && regoTestsPassed ? 0 : 1;
  } finally {
    await engine.close();
    if (scratch !== null) rmSync(scratch, { recursive: true, force: true });
  }
}
