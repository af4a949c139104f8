// YAML decision test cases (schemas/decision-test.schema.json): input → expected decision.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse as parseYaml } from "yaml";
import schema from "../../schemas/decision-test.schema.json" with { type: "json" };
import type { Decision } from "../decision/types.ts";
import type { PolicyInput } from "../input/types.ts";
import { completeInput } from "../input/complete-input.ts";
import { withScheduleClock } from "../input/schedule-clock.ts";
import { isDecisionTestFile } from "../policy/decision-test-file.ts";

export interface DecisionExpectation {
  readonly outcome?: string;
  readonly reason?: string;
  readonly rule_id?: string;
  readonly mode?: string;
  readonly deny_reasons?: readonly string[];
}

export interface DecisionCase {
  readonly file: string;
  readonly name: string;
  readonly input: PolicyInput;
  /** The case's `now` as Unix milliseconds; null when it gives none (no clock). */
  readonly at: number | null;
  readonly expect: DecisionExpectation;
}

/** Time zones the agent's schedules name, from the bundle under test. */
export type ScheduleZonesOf = (tenant: string | null, agent: string | null) => readonly string[];

export interface CaseResult {
  readonly testCase: DecisionCase;
  readonly failures: readonly string[];
  /** The decision the case got; null when evaluation failed. */
  readonly decision: Decision | null;
}

const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

export function findDecisionTestFiles(root: string): string[] {
  if (statSync(root).isFile()) return [root];
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (isDecisionTestFile(relative(root, path))) found.push(path);
    }
  };
  walk(root);
  return found;
}

/** Loads cases; a file that does not match the schema is reported as problems, never thrown. */
export function loadDecisionCases(files: readonly string[]): { cases: DecisionCase[]; problems: string[] } {
  const cases: DecisionCase[] = [];
  const problems: string[] = [];
  for (const file of files) {
    let doc: unknown;
    try {
      // Merge keys (<<: *base) let a case restate only what it changes.
      doc = parseYaml(readFileSync(file, "utf8"), { merge: true });
    } catch (err) {
      problems.push(`${file}: ${(err as Error).message}`);
      continue;
    }
    if (!validate(doc)) {
      for (const e of validate.errors ?? []) problems.push(`${file}: ${e.instancePath || "/"}: ${e.message ?? "invalid"}`);
      continue;
    }
    const typed = doc as { cases: { name: string; input: Partial<PolicyInput> & { now?: string }; expect: DecisionExpectation }[] };
    for (const c of typed.cases) {
      const { now, ...input } = c.input;
      const at = now === undefined ? null : Date.parse(now);
      if (at !== null && !Number.isFinite(at)) {
        problems.push(`${file}: case "${c.name}": now \`${now}\` is not a valid time`);
        continue;
      }
      cases.push({ file, name: c.name, input: completeInput(input), at, expect: c.expect });
    }
  }
  return { cases, problems };
}

export function compareDecision(decision: Decision, expected: DecisionExpectation): string[] {
  const failures: string[] = [];
  const check = (field: string, want: unknown, got: unknown) => {
    if (want !== undefined && JSON.stringify(want) !== JSON.stringify(got)) failures.push(`${field}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  };
  check("outcome", expected.outcome, decision.outcome);
  check("reason", expected.reason, decision.reason);
  check("rule_id", expected.rule_id, decision.rule_id);
  check("mode", expected.mode, decision.mode);
  check("deny_reasons", expected.deny_reasons, decision.deny_reasons.map((d) => d.reason));
  return failures;
}

export async function runDecisionCases(
  cases: readonly DecisionCase[],
  decide: (input: PolicyInput) => Promise<Decision>,
  zonesOf: ScheduleZonesOf = () => [],
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const testCase of cases) {
    try {
      const { input, at } = testCase;
      const clocked = at === null ? input : withScheduleClock(input, zonesOf(input.tenant, input.agent), at);
      const decision = await decide(clocked);
      results.push({ testCase, failures: compareDecision(decision, testCase.expect), decision });
    } catch (err) {
      results.push({ testCase, failures: [`evaluation failed: ${(err as Error).message}`], decision: null });
    }
  }
  return results;
}

/** The expected and actual outcome, reason and rule id side by side, for a failed case. */
export function sideBySide(expected: DecisionExpectation, decision: Decision): string[] {
  const rows: [string, string | undefined, string][] = [
    ["outcome", expected.outcome, decision.outcome],
    ["reason", expected.reason, decision.reason],
    ["rule_id", expected.rule_id, decision.rule_id],
    ["deny_reasons", expected.deny_reasons?.join(", "), decision.deny_reasons.map((d) => d.reason).join(", ") || "none"],
  ];
  const width = Math.max(...rows.map(([, want]) => (want ?? "(any)").length), "expected".length);
  return [
    `${"".padEnd(12)} ${"expected".padEnd(width)}  actual`,
    ...rows.map(([field, want, got]) => `${field.padEnd(12)} ${(want ?? "(any)").padEnd(width)}  ${got}${want !== undefined && want !== got ? "   <--" : ""}`),
  ];
}
