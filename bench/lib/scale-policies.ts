// Policies for the scale harness: the bench tenant plus `agents` agent policies shaped like the
// example finance agent (one tool, amount conditions, call chain, approvals), one of them named
// finance-agent so the benchmark input decides the same way at every scale. They go through the
// real pipeline (aegis build: validation, compiler, opa build), as a user's would.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { REPO_ROOT } from "./repo-paths.ts";

export const SCALE_AGENT = "finance-agent";

/** Tenants of the generated fleet: acme (which holds the benchmark agent) and tenant-1 … tenant-9. */
export const SCALE_TENANTS = 10;

const tenantName = (i: number) => (i === 0 ? "acme" : `tenant-${i}`);

// Four kinds of agent in turn, each varied by its number: a payments agent with amount conditions
// and approvals, the same with a spend budget, a docs agent with sanitize rules, and a planner
// (some in shadow mode) with two tools.
function agentDocument(tenant: string, name: string, i: number, kind: number): string {
  const head = `apiVersion: aegis/v1\nkind: AgentPolicy\ntenant: ${tenant}\nagent: ${name}\n`;
  const maxAmount = name === SCALE_AGENT ? 5000 : 1000 + (i % 9000);
  const chain = `call_chain:\n  allowed_parents: [orchestrator${i % 3 === 0 ? ", planner" : ""}]\n  max_depth: ${1 + (i % 3)}\n`;
  const approvals = `approvals:\n  channels: [api${i % 2 === 0 ? ", slack" : ""}]\n  expires_in: ${1 + (i % 4)}h\n`;
  const payments = `  - name: stripe-payments\n    actions: [create_payment]\n    conditions:\n      max_amount: ${maxAmount}\n      approval_threshold: ${Math.floor(maxAmount * 0.8)}\n`;
  switch (name === SCALE_AGENT ? 0 : kind % 4) {
    case 0:
      return `${head}mode: enforce\nallowed_tools:\n${payments}${chain}${approvals}`;
    case 1:
      return `${head}mode: enforce\nallowed_tools:\n${payments}budgets:\n  - name: daily-spend\n    tool: stripe-payments\n    sum_param: amount\n    limit: ${10_000 + (i % 50) * 1000}\n    window: 24h\n${chain}${approvals}`;
    case 2:
      return `${head}allowed_tools:\n  - name: doc-store\n    actions: [read_document, search_documents]\n    sanitize:\n      headers: [x-api-key]\n      query: [token]\n      params: [ssn${i % 5 === 0 ? ", iban" : ""}]\n`;
    default:
      return `${head}mode: ${i % 7 === 0 ? "shadow" : "enforce"}\nallowed_tools:\n  - name: calendar\n    actions: [list_events]\n  - name: doc-store\n    actions: [search_documents]\n${chain}`;
  }
}

/**
 * Writes <dir>/<tenant>/tenant.yaml for SCALE_TENANTS tenants and <dir>/agents/<tenant>.yaml with
 * their share of `agents` (one YAML document per agent); the agent in the middle of acme is
 * finance-agent, so the benchmark input decides the same way at every scale.
 */
export async function writeScalePolicies(dir: string, agents: number): Promise<void> {
  const tenants = Math.min(SCALE_TENANTS, agents);
  const tenantYaml = await readFile(join(REPO_ROOT, "bench", "policies", "acme", "tenant.yaml"), "utf8");
  await mkdir(join(dir, "agents"), { recursive: true });
  const docs: string[][] = Array.from({ length: tenants }, () => []);
  const middle = Math.floor(agents / tenants / 2) * tenants;
  for (let i = 0; i < agents; i++) {
    const t = i % tenants;
    const name = i === middle ? SCALE_AGENT : `agent-${String(i).padStart(6, "0")}`;
    docs[t]!.push(agentDocument(tenantName(t), name, i, Math.floor(i / tenants)));
  }
  for (let t = 0; t < tenants; t++) {
    await mkdir(join(dir, tenantName(t)), { recursive: true });
    await writeFile(join(dir, tenantName(t), "tenant.yaml"), tenantYaml.replace(/^tenant: acme$/m, `tenant: ${tenantName(t)}`));
    await writeFile(join(dir, "agents", `${tenantName(t)}.yaml`), docs[t]!.join("---\n"));
  }
}
