// What the host (not Rego) reads from the bundle's data.json: the tools catalog (to find
// tool/action), each agent's budgets (to read counters before evaluation), approval routing and
// which parameter names to mask in logs. Built once per bundle and swapped with its engine.
import type { CatalogEntry } from "../input/catalog.ts";
import { DEFAULT_APPROVAL_CHANNELS, DEFAULT_APPROVAL_EXPIRY_SECONDS } from "../policy/compile.ts";
import type { AgentData, BudgetData, PolicyData, ResponseRule, TenantData } from "../policy/policy-data.ts";

export interface AgentView {
  readonly budgets: readonly BudgetData[];
  readonly approvals: AgentData["approvals"];
  /** Parameter names (lower case: matched case-insensitively) whose values never reach a log, a notification or an approval preview. */
  readonly sanitizedParams: ReadonlySet<string>;
  /** Tools the agent's policy marks `protocol: mcp`: their requests are read as MCP. */
  readonly mcpTools: ReadonlySet<string>;
  /** Time zones the agent's schedules name: the host computes input.now for these (none: no clock). */
  readonly scheduleZones: readonly string[];
  /** The actions the agent may call on a tool (its MCP tools, for tools/list); null when the tool is not allowed. */
  allowedActions(tool: string): ReadonlySet<string> | null;
  /** The called action's `sanitize.response` rule, for the ext_proc stream; null when it has none. */
  responseRule(tool: string, action: string): ResponseRule | null;
}

export interface PolicyContext {
  readonly revision: string;
  catalog(tenant: string): readonly CatalogEntry[];
  agent(tenant: string, agent: string): AgentView | undefined;
}

const NO_CATALOG: readonly CatalogEntry[] = [];
/** The compiler's defaults, for a hand-made bundle whose agent lacks `approvals`. */
export const DEFAULT_APPROVALS: AgentData["approvals"] = { channels: DEFAULT_APPROVAL_CHANNELS, expires_in_seconds: DEFAULT_APPROVAL_EXPIRY_SECONDS };

/** What the host knows of a caller without a policy: nothing to read, charge or mask. */
export const NO_AGENT_VIEW: AgentView = {
  budgets: [], approvals: DEFAULT_APPROVALS, sanitizedParams: new Set(), scheduleZones: [], mcpTools: new Set(), allowedActions: () => null, responseRule: () => null,
};

export function createPolicyContext(revision: string, data: Record<string, unknown>): PolicyContext {
  // data.json as `aegis build` writes it (PolicyData); a hand-made bundle may lack optional parts,
  // so those are read with defaults rather than trusted.
  const tenants = ((data as Partial<PolicyData>).tenants ?? {}) as Readonly<Record<string, TenantData>>;
  const tenantOf = (tenant: string) => (Object.hasOwn(tenants, tenant) ? tenants[tenant] : undefined);
  const views = new Map<string, AgentView>();
  return {
    revision,
    catalog: (tenant) => tenantOf(tenant)?.catalog ?? NO_CATALOG,
    agent(tenant, agent) {
      const key = `${tenant}\u0000${agent}`;
      const cached = views.get(key);
      if (cached !== undefined) return cached;
      const agents = tenantOf(tenant)?.agents;
      const raw = agents !== undefined && Object.hasOwn(agents, agent) ? agents[agent] : undefined;
      if (raw === undefined) return undefined;
      const sanitized = new Set<string>();
      // Query values join the params under their own names, so a sanitized query name is masked too.
      for (const tool of Object.values(raw.tools ?? {})) {
        for (const action of Object.values(tool.actions ?? {})) for (const p of [...(action.sanitize?.params ?? []), ...(action.sanitize?.query ?? [])]) sanitized.add(p.toLowerCase());
      }
      // A custom module's redact rules name these; masked whatever the outcome.
      for (const p of Array.isArray(raw.custom_redactions) ? raw.custom_redactions : []) if (typeof p === "string") sanitized.add(p.toLowerCase());
      const zones = Array.isArray(raw.schedule_zones) ? raw.schedule_zones.filter((z): z is string => typeof z === "string") : [];
      const mcpTools = new Set(Object.entries(raw.tools ?? {}).filter(([, tool]) => tool.mcp !== undefined).map(([name]) => name));
      const tools = raw.tools ?? {};
      const toolOf = (tool: string) => (Object.hasOwn(tools, tool) ? tools[tool] : undefined);
      const actionSets = new Map<string, ReadonlySet<string>>();
      const view: AgentView = {
        budgets: raw.budgets ?? [], approvals: raw.approvals ?? DEFAULT_APPROVALS, sanitizedParams: sanitized, scheduleZones: zones, mcpTools,
        allowedActions(tool) {
          const data = toolOf(tool);
          if (data === undefined) return null;
          let set = actionSets.get(tool);
          if (set === undefined) actionSets.set(tool, (set = new Set(Object.keys(data.actions ?? {}))));
          return set;
        },
        responseRule(tool, action) {
          const actions = toolOf(tool)?.actions ?? {};
          return Object.hasOwn(actions, action) ? (actions[action]!.response ?? null) : null;
        },
      };
      views.set(key, view);
      return view;
    },
  };
}
