// `params:` and `additional_params:` of a tool entry and an action object → the action's
// effective ParamsData. An action object's rule for a path replaces the entry's rule for that
// path; the entry's other rules still apply. Each rule keeps the rule id of the YAML that wrote it.
import { anchoredPattern } from "./re2-syntax.ts";
import { globRegex } from "./path-glob.ts";
import type { ParamRuleDoc } from "./model.ts";
import { paramPathSteps } from "./param-path.ts";
import type { ParamRuleData, ParamsData } from "./policy-data.ts";

/** A block of settings with the rule-id prefix of the YAML that holds it. */
export interface Sourced<T> {
  readonly value: T | undefined;
  readonly prefix: string;
}

function hostsData(hosts: readonly string[]): NonNullable<ParamRuleData["hosts"]> {
  const lower = hosts.map((h) => h.toLowerCase());
  return {
    exact: Object.fromEntries(lower.filter((h) => !h.startsWith("*.")).map((h) => [h, true as const])),
    // "*.wikipedia.org" → ".wikipedia.org", as for the egress allowlist.
    suffixes: [...new Set(lower.filter((h) => h.startsWith("*.")).map((h) => h.slice(1)))].sort(),
  };
}

function ruleData(path: string, rule: ParamRuleDoc, prefix: string): ParamRuleData {
  return {
    path,
    steps: paramPathSteps(path),
    rule_id: `${prefix}/params/${path}`,
    required: rule.required ?? false,
    forbidden: rule.forbidden ?? false,
    enum: rule.enum === undefined ? null : [...rule.enum],
    pattern: rule.pattern === undefined ? null : anchoredPattern(rule.pattern),
    glob: rule.glob === undefined ? null : rule.glob.map(globRegex),
    min: rule.min ?? null,
    max: rule.max ?? null,
    max_length: rule.max_length ?? null,
    hosts: rule.hosts === undefined ? null : hostsData(rule.hosts),
  };
}

export function compileParams(
  entry: Sourced<Readonly<Record<string, ParamRuleDoc>>>,
  own: Sourced<Readonly<Record<string, ParamRuleDoc>>>,
  additional: Sourced<"allow" | "deny">,
  amountParam: string | null,
): ParamsData | null {
  const rules = new Map<string, ParamRuleData>();
  for (const { value, prefix } of [entry, own]) {
    for (const [path, rule] of Object.entries(value ?? {})) rules.set(path, ruleData(path, rule, prefix));
  }
  const mode = additional.value ?? "allow";
  if (rules.size === 0 && mode === "allow") return null;
  const sorted = [...rules.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const named = new Set(sorted.map((r) => r.steps[0] ?? r.path));
  if (amountParam !== null) named.add(amountParam);
  return {
    rules: sorted,
    additional: mode,
    named: Object.fromEntries([...named].sort().map((n) => [n, true as const])),
    additional_rule_id: `${additional.prefix}/additional_params`,
  };
}
