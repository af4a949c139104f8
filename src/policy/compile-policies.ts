// The whole pipeline over a file or directory: parse, schema-validate and semantically validate
// every document, collecting all problems; compile only when there are none.
import { readFile } from "node:fs/promises";
import { compile } from "./compile.ts";
import { findPolicyFiles } from "./find-policy-files.ts";
import { loadYaml } from "./load-yaml.ts";
import { policyReadError } from "./policy-read-error.ts";
import type { PolicyData } from "./policy-data.ts";
import { sortProblems, type Problem } from "./problem.ts";
import { validateSchemas } from "./schema-validate.ts";
import { validateSemantics } from "./semantic-validate.ts";
import type { SourceDocument } from "./source-document.ts";

export type CompileResult = { ok: true; data: PolicyData; files: string[] } | { ok: false; problems: Problem[] };

function declaredTenant(value: unknown): string | undefined {
  const { kind, tenant } = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  return kind === "Tenant" && typeof tenant === "string" ? tenant : undefined;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    throw policyReadError(file, err);
  }
}

/**
 * Throws AegisError AEGIS_ERR_POLICY_READ when `path` (or a file under it) cannot be read or
 * holds no policy files; every problem inside the files is returned instead.
 */
export async function compilePolicies(path: string): Promise<CompileResult> {
  const files = await findPolicyFiles(path);
  const problems: Problem[] = [];
  const documents: SourceDocument[] = [];
  const declaredTenants = new Set<string>();
  for (const file of files) {
    const loaded = loadYaml(file, await readText(file));
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
