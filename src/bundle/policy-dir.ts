// A policy directory as `aegis validate`, `aegis build` and `aegis test` read it: the YAML
// compiled to data.json, and the custom Rego modules beside it checked against that data.
import { compilePolicies } from "../policy/compile-policies.ts";
import type { PolicyData } from "../policy/policy-data.ts";
import type { Problem } from "../policy/problem.ts";
import { prepareCustomModules, type CustomModules, type CustomRedactions } from "./custom-modules.ts";

export type PolicyDirResult =
  | { readonly ok: true; readonly data: PolicyData; readonly files: string[]; readonly custom: CustomModules }
  | { readonly ok: false; readonly problems: Problem[] };

/** YAML problems first; the custom modules are checked only against policies that compile. */
export async function compilePolicyDir(dir: string, libDir: string): Promise<PolicyDirResult> {
  const compiled = await compilePolicies(dir);
  if (!compiled.ok) return compiled;
  const custom = await prepareCustomModules(dir, compiled.data, libDir);
  if (!custom.ok) return custom;
  return { ok: true, data: withCustomRedactions(compiled.data, custom.custom.redactions), files: compiled.files, custom: custom.custom };
}

// Each agent's custom_redactions: the names of its tenant's modules and of its own.
function withCustomRedactions(data: PolicyData, redactions: readonly CustomRedactions[]): PolicyData {
  if (redactions.length === 0) return data;
  const tenants = Object.fromEntries(
    Object.entries(data.tenants).map(([tenant, t]) => [
      tenant,
      {
        ...t,
        agents: Object.fromEntries(
          Object.entries(t.agents).map(([agent, a]) => {
            const names = redactions.filter((r) => r.tenant === tenant && (r.agent === null || r.agent === agent)).flatMap((r) => r.names);
            return [agent, { ...a, custom_redactions: [...new Set([...a.custom_redactions, ...names])].sort() }];
          }),
        ),
      },
    ]),
  );
  return { ...data, tenants };
}
