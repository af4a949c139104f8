// What the host (not Rego) reads from the bundle's data.json: the tools catalog (to find
// tool/action), each agent's budgets (to read counters before evaluation), approval routing and
// which parameter names to mask in logs. Built once per bundle and swapped with its engine. Views
// are made on first use from the agent's bytes in data.json (one JSON.parse of that agent) and kept
// in a bounded cache, so the host never holds every agent parsed.
import type { DataBytes } from "../bundle/data-bytes.ts";
import type { DataIndex } from "../bundle/data-index.ts";
import { dataSlicer } from "../bundle/data-slice.ts";
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

/** Agent views kept parsed; the rest are parsed again from their bytes when next needed. */
export const AGENT_VIEW_CACHE = 10_000;
const TENANT_CACHE = 1_000;

const decoder = new TextDecoder();
const parseJson = (bytes: Uint8Array): unknown => JSON.parse(decoder.decode(bytes));

/** A bundle's data.json: its bytes (raw, or read through compressed blocks) and, when the loader built it, its index (BundleContents, EngineSource). */
export interface PolicyDataSource {
  readonly dataJson: Uint8Array | DataBytes;
  readonly dataIndex?: DataIndex;
}

export function createPolicyContext(revision: string, source: PolicyDataSource): PolicyContext {
  const data = dataSlicer(source.dataJson, source.dataIndex);
  // data.json as `aegis build` writes it (PolicyData); a hand-made bundle may lack optional parts,
  // so those are read with defaults rather than trusted.
  const whole = data.whole ? ((parseJson(data.topJson()) as Partial<PolicyData>).tenants ?? {}) as Readonly<Record<string, TenantData>> : null;
  const tenants = new BoundedCache<string, TenantData | undefined>(TENANT_CACHE);
  const tenantOf = (tenant: string): TenantData | undefined => {
    if (whole !== null) return Object.hasOwn(whole, tenant) ? whole[tenant] : undefined;
    return tenants.get(tenant, () => {
      const bytes = data.tenantJson(tenant);
      return bytes === undefined ? undefined : (parseJson(bytes) as TenantData);
    });
  };
  const agentOf = (tenant: string, agent: string): AgentData | undefined => {
    if (whole !== null) {
      const agents = Object.hasOwn(whole, tenant) ? whole[tenant]?.agents : undefined;
      return agents !== undefined && agents !== null && typeof agents === "object" && Object.hasOwn(agents, agent) ? agents[agent] : undefined;
    }
    const bytes = data.agentJson(tenant, agent);
    return bytes === undefined ? undefined : (parseJson(bytes) as AgentData);
  };
  const views = new BoundedCache<string, AgentView | undefined>(AGENT_VIEW_CACHE);
  return {
    revision,
    catalog: (tenant) => tenantOf(tenant)?.catalog ?? NO_CATALOG,
    // Length-prefixed: names may hold any character (a JWT claim can carry NUL), so no separator is safe.
    agent: (tenant, agent) => views.get(`${tenant.length}:${tenant}${agent}`, () => {
      const raw = agentOf(tenant, agent);
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
      return view;
    }),
  };
}

/** A map that keeps the `limit` most recently used entries. */
class BoundedCache<K, V> {
  readonly #limit: number;
  readonly #entries = new Map<K, V>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  get(key: K, make: () => V): V {
    if (this.#entries.has(key)) {
      const value = this.#entries.get(key) as V;
      this.#entries.delete(key);
      this.#entries.set(key, value);
      return value;
    }
    const value = make();
    this.#entries.set(key, value);
    if (this.#entries.size > this.#limit) this.#entries.delete(this.#entries.keys().next().value as K);
    return value;
  }
}
