// The whole pipeline over a file or directory: parse, schema-validate and semantically validate
// every document, collecting all problems; compile only when there are none.
import { compile } from "./compile.ts";
import { findPolicyFiles } from "./find-policy-files.ts";
import { loadYaml } from "./load-yaml.ts";
import type { PolicyData } from "./policy-data.ts";
import { sortProblems, type Problem } from "./problem.ts";
import { type PolicyReadLimits, policyReadLimitsFromEnv } from "./read-limits.ts";
import { readPolicyFile, type ReadBudget } from "./read-policy-file.ts";
import { validateSchemas } from "./schema-validate.ts";
import { validateSemantics } from "./semantic-validate.ts";
import type { SourceDocument } from "./source-document.ts";

export type CompileResult = { ok: true; data: PolicyData; files: string[] } | { ok: false; problems: Problem[] };

function declaredTenant(value: unknown): string | undefined {
  const { kind, tenant } = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  return kind === "Tenant" && typeof tenant === "string" ? tenant : undefined;
}

/**
 * Throws AegisError AEGIS_ERR_POLICY_READ when `path` (or a file under it) cannot be read, or
 * holds no policy files or more than limits.maxFiles; every problem inside the files is returned
 * instead, a file over a size or node limit included (see read-limits.ts).
 */
export async function compilePolicies(path: string, limits: PolicyReadLimits = policyReadLimitsFromEnv()): Promise<CompileResult> {
  const files = await findPolicyFiles(path, limits.maxFiles);
  const problems: Problem[] = [];
  const documents: SourceDocument[] = [];
  const declaredTenants = new Set<string>();
  const budget: ReadBudget = { totalBytes: 0 };
  let totalNodes = 0;
  for (const file of files) {
    const read = await readPolicyFile(file, limits, budget);
    if ("problem" in read) {
      problems.push(read.problem);
      continue;
    }
    const loaded = loadYaml(file, read.text, limits.maxNodesPerFile);
    totalNodes += loaded.nodes;
    if (totalNodes > limits.maxTotalNodes) {
      // Dropped, so what this run holds stays bounded; the files before it are still validated.
      problems.push({ file, line: 1, col: 1, pointer: "", message: `policy files together exceed ${limits.maxTotalNodes} YAML nodes, the limit of one run; not validated` });
      continue;
    }
    problems.push(...loaded.problems);
    documents.push(...loaded.documents);
    for (const value of [...loaded.brokenValues, ...loaded.documents.map((d) => d.value)]) {
      const tenant = declaredTenant(value);
      if (tenant !== undefined) declaredTenants.add(tenant);
    }
  }
  const schema = validateSchemas(documents);
  problems.push(...schema.problems);
  problems.push(...validateSemantics(schema.valid, declaredTenants));
  if (problems.length > 0) return { ok: false, problems: sortProblems(problems) };
  return { ok: true, data: compile(schema.valid), files };
}
