// Policies for the scale harness: the bench tenant plus `agents` agent policies shaped like the
// example finance agent (one tool, amount conditions, call chain, approvals), one of them named
// finance-agent so the benchmark input decides the same way at every scale. They go through the
// real pipeline (aegis build: validation, compiler, opa build), as a user's would.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { REPO_ROOT } from "./repo-paths.ts";

export const SCALE_AGENT = "finance-agent";

function agentDocument(name: string, maxAmount: number): string {
  return `apiVersion: aegis/v1
kind: AgentPolicy
tenant: acme
agent: ${name}
mode: enforce
allowed_tools:
  - name: stripe-payments
    actions: [create_payment]
    conditions:
      max_amount: ${maxAmount}
      approval_threshold: ${maxAmount}
call_chain:
  allowed_parents: [orchestrator]
  max_depth: 2
approvals:
  channels: [api, slack]
  expires_in: 1h
`;
}

/** Writes <dir>/acme/tenant.yaml and <dir>/agents/agents.yaml (one YAML document per agent). */
export async function writeScalePolicies(dir: string, agents: number): Promise<void> {
  await mkdir(join(dir, "acme"), { recursive: true });
  await mkdir(join(dir, "agents"), { recursive: true });
  await writeFile(join(dir, "acme", "tenant.yaml"), await readFile(join(REPO_ROOT, "bench", "policies", "acme", "tenant.yaml")));
  const middle = Math.floor(agents / 2);
  const docs: string[] = [];
  for (let i = 0; i < agents; i++) {
    docs.push(agentDocument(i === middle ? SCALE_AGENT : `agent-${String(i).padStart(6, "0")}`, i === middle ? 5000 : 1000 + (i % 9000)));
  }
  await writeFile(join(dir, "agents", "agents.yaml"), docs.join("---\n"));
}
