// What the host (not Rego) reads from the bundle's data.json: the tools catalog (to find
// tool/action), each agent's budgets (to read counters before evaluation) and approval
// routing. Built once per bundle and swapped together with its engine.
export interface CatalogEntry {
  readonly host: string;
  readonly method: string;
  readonly path: string;
  readonly tool: string;
  readonly action: string;
}

export interface AgentBudget {
  readonly name: string;
  readonly tool: string | null;
  readonly sum_param: string | null;
  readonly limit: number;
  readonly window_seconds: number;
  readonly rule_id: string;
}

export interface AgentApprovals {
  readonly channels: readonly string[];
  readonly expires_in_seconds: number;
}

export interface AgentView {
  readonly budgets: readonly AgentBudget[];
  readonly approvals: AgentApprovals;
  readonly sanitizedParams: ReadonlySet<string>;
}

export interface PolicyContext {
  readonly revision: string;
  catalog(tenant: string): readonly CatalogEntry[];
  agent(tenant: string, agent: string): AgentView | undefined;
}

const DEFAULT_APPROVALS: AgentApprovals = { channels: ["api"], expires_in_seconds: 3600 };
const NO_CATALOG: readonly CatalogEntry[] = [];

interface RawAgent {
  budgets?: AgentBudget[];
  approvals?: AgentApprovals;
  tools?: Record<string, { sanitize?: { params?: string[]; query?: string[] } | null }>;
}
interface RawTenant {
  catalog?: CatalogEntry[];
  agents?: Record<string, RawAgent>;
}

export function createPolicyContext(revision: string, data: Record<string, unknown>): PolicyContext {
  const tenants = (data.tenants ?? {}) as Record<string, RawTenant>;
  const views = new Map<string, AgentView>();
  return {
    revision,
    catalog: (tenant) => (Object.hasOwn(tenants, tenant) ? tenants[tenant]?.catalog ?? NO_CATALOG : NO_CATALOG),
    agent(tenant, agent) {
      const key = `${tenant}\u0000${agent}`;
      const cached = views.get(key);
      if (cached !== undefined) return cached;
      const t = Object.hasOwn(tenants, tenant) ? tenants[tenant] : undefined;
      const raw = t?.agents !== undefined && Object.hasOwn(t.agents, agent) ? t.agents[agent] : undefined;
      if (raw === undefined) return undefined;
      const sanitized = new Set<string>();
      // Query values join the params under their own names, so a sanitized query name is masked too.
      for (const tool of Object.values(raw.tools ?? {})) for (const p of [...(tool.sanitize?.params ?? []), ...(tool.sanitize?.query ?? [])]) sanitized.add(p);
      const view: AgentView = { budgets: raw.budgets ?? [], approvals: raw.approvals ?? DEFAULT_APPROVALS, sanitizedParams: sanitized };
      views.set(key, view);
      return view;
    },
  };
}
