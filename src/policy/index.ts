// The policy module's public face: YAML policies → validated model → data.json.
export { compilePolicies, type CompileResult } from "./compile-policies.ts";
export { findPolicyFiles } from "./find-policy-files.ts";
export { formatProblem, sortProblems, type Problem } from "./problem.ts";
export { policyDataJson } from "./serialize.ts";
export type {
  ActionData,
  ActionRuleIds,
  AgentData,
  AmountRule,
  BudgetData,
  CatalogRoute,
  PolicyData,
  SanitizeRule,
  TenantData,
  ToolData,
} from "./policy-data.ts";
