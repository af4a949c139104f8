// Stage 4: schema- and semantically-valid documents → data.json (docs/contracts.md §1).
// Every default is written out here, so the Rego library reads values and never guesses.
import { compileParams, type Sourced } from "./compile-params.ts";
import { durationSeconds } from "./duration.ts";
import { type EgressEntry, parseEgressEntry } from "./egress-entry.ts";
import {
  actionName,
  tenantOf,
  type ActionDoc,
  type AgentPolicyDoc,
  type AllowedToolDoc,
  type ConditionsDoc,
  type ResponseSanitizeDoc,
  type SanitizeDoc,
  type TenantDoc,
  type ValidatedDocument,
} from "./model.ts";
import type { ActionData, ActionRuleIds, AgentData, AmountRule, CatalogRoute, PolicyData, ResponseRule, SanitizeRule, TenantData, ToolData } from "./policy-data.ts";
import { compileSchedule, DEFAULT_TIMEZONE } from "./schedule.ts";
import { sortKeysDeep } from "./serialize.ts";
import { DEFAULT_MCP_METHODS } from "./mcp-methods.ts";

const DEFAULT_AMOUNT_PARAM = "amount";
const DEFAULT_MAX_DEPTH = 1;
/** Where an agent's approvals go when its policy names no channels: the approvals API only. */
export const DEFAULT_APPROVAL_CHANNELS = ["api"] as const;
const DEFAULT_APPROVAL_EXPIRY = "1h";
/** Seconds a pending approval waits when its policy sets no `approvals.expires_in`. */
export const DEFAULT_APPROVAL_EXPIRY_SECONDS = durationSeconds(DEFAULT_APPROVAL_EXPIRY);
const HARD_LIMIT_FACTOR = 10;

// 10 × 1.1 is 11.000000000000002 in binary floating point; authors wrote decimals, so round
// back to what they would expect.
function timesHardLimitFactor(amount: number): number {
  return Number((amount * HARD_LIMIT_FACTOR).toPrecision(15));
}

function amountRule(conditions: ConditionsDoc | undefined): AmountRule | null {
  const { max_amount: max, approval_threshold: approval } = conditions ?? {};
  const base = max ?? approval;
  if (conditions === undefined || base === undefined) return null;
  return {
    param: conditions.amount_param ?? DEFAULT_AMOUNT_PARAM,
    threshold: Math.min(max ?? base, approval ?? base),
    hard_limit: conditions.hard_limit ?? timesHardLimitFactor(base),
  };
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

function sanitizeRule(sanitize: SanitizeDoc | undefined): SanitizeRule | null {
  if (sanitize === undefined) return null;
  // Response rules are the host's (ext_proc): alone they leave the request unsanitized.
  if (sanitize.headers === undefined && sanitize.query === undefined && sanitize.params === undefined) return null;
  return {
    // Header names are case-insensitive; Envoy hands them over lower-cased.
    headers: sortedUnique((sanitize.headers ?? []).map((h) => h.toLowerCase())),
    query: sortedUnique(sanitize.query ?? []),
    params: sortedUnique(sanitize.params ?? []),
  };
}

function responseRule(response: ResponseSanitizeDoc, ruleId: string): ResponseRule {
  return { paths: sortedUnique(response.paths ?? []), patterns: sortedUnique(response.patterns ?? []), regexes: [...(response.regexes ?? [])], rule_id: ruleId };
}

// An action object's own setting replaces the entry's wholesale; otherwise the entry's applies.
function effective<T>(own: T | undefined, ownPrefix: string, entry: T | undefined, entryPrefix: string): Sourced<T> {
  return own !== undefined ? { value: own, prefix: ownPrefix } : { value: entry, prefix: entryPrefix };
}

function compileAction(toolPrefix: string, tool: AllowedToolDoc, action: ActionDoc): [string, ActionData] {
  const name = actionName(action);
  const own = typeof action === "string" ? undefined : action;
  const ownPrefix = `${toolPrefix}/actions/${name}`;
  const conditions = effective(own?.conditions, ownPrefix, tool.conditions, toolPrefix);
  const sanitizeSetting = effective(own?.sanitize, ownPrefix, tool.sanitize, toolPrefix);
  const scheduleSetting = effective(own?.schedule, ownPrefix, tool.schedule, toolPrefix);
  const amount = amountRule(conditions.value);
  const sanitize = sanitizeRule(sanitizeSetting.value);
  const params = compileParams(
    { value: tool.params, prefix: toolPrefix },
    { value: own?.params, prefix: ownPrefix },
    effective(own?.additional_params, ownPrefix, tool.additional_params, toolPrefix),
    amount?.param ?? null,
  );
  const schedule = compileSchedule(scheduleSetting.value);
  const ids: Record<string, string> = { allowed: own === undefined ? `${toolPrefix}/actions` : ownPrefix };
  if (amount !== null) {
    // The threshold rule is named after approval_threshold unless max_amount stands alone.
    const thresholdField = conditions.value?.approval_threshold === undefined ? "max_amount" : "approval_threshold";
    ids.within_limit = `${conditions.prefix}/conditions/${thresholdField}`;
    ids.approval_needed = `${conditions.prefix}/conditions/${thresholdField}`;
    ids.blocked_over_hard_limit = `${conditions.prefix}/conditions/hard_limit`;
    ids.invalid_amount = `${conditions.prefix}/conditions/amount_param`;
  }
  if (sanitize !== null) ids.sanitize = `${sanitizeSetting.prefix}/sanitize`;
  if (schedule !== null) ids.outside_schedule = `${scheduleSetting.prefix}/schedule`;
  const response = sanitizeSetting.value?.response;
  return [name, {
    amount, sanitize, params, schedule, rule_ids: ids as unknown as ActionRuleIds,
    ...(response === undefined ? {} : { response: responseRule(response, `${sanitizeSetting.prefix}/sanitize/response`) }),
  }];
}

function compileTool(agentPrefix: string, tool: AllowedToolDoc): ToolData {
  const prefix = `${agentPrefix}/allowed_tools/${tool.name}`;
  return {
    actions: Object.fromEntries(tool.actions.map((action) => compileAction(prefix, tool, action))),
    rule_ids: { action_not_allowed: `${prefix}/actions` },
    ...(tool.protocol === "mcp"
      ? { mcp: { methods: [...(tool.mcp?.methods ?? DEFAULT_MCP_METHODS)], rule_id: `${prefix}/${tool.mcp?.methods === undefined ? "protocol" : "mcp/methods"}` } }
      : {}),
  };
}

// Every zone a schedule of the agent names: what the host computes input.now for.
function scheduleZones(policy: AgentPolicyDoc): string[] {
  const zones = policy.allowed_tools.flatMap((tool) => [tool.schedule, ...tool.actions.map((a) => (typeof a === "string" ? undefined : a.schedule))]);
  return sortedUnique(zones.flatMap((schedule) => (schedule === undefined ? [] : [schedule.timezone ?? DEFAULT_TIMEZONE])));
}

function compileAgent(policy: AgentPolicyDoc): AgentData {
  const prefix = `${tenantOf(policy)}/${policy.agent}`;
  return {
    schedule_zones: scheduleZones(policy),
    custom_redactions: [],
    mode: policy.mode ?? "enforce",
    rule_ids: { tool_not_allowed: `${prefix}/allowed_tools`, call_chain_violation: `${prefix}/call_chain` },
    tools: Object.fromEntries(policy.allowed_tools.map((tool) => [tool.name, compileTool(prefix, tool)])),
    budgets: (policy.budgets ?? []).map((budget) => ({
      name: budget.name,
      tool: budget.tool ?? null,
      sum_param: budget.sum_param ?? null,
      limit: budget.limit,
      window_seconds: durationSeconds(budget.window),
      rule_id: `${prefix}/budgets/${budget.name}`,
    })),
    call_chain:
      policy.call_chain === undefined
        ? null
        : {
            allowed_parents: sortedUnique(policy.call_chain.allowed_parents),
            max_depth: policy.call_chain.max_depth ?? DEFAULT_MAX_DEPTH,
          },
    approvals: {
      channels: [...(policy.approvals?.channels ?? DEFAULT_APPROVAL_CHANNELS)],
      expires_in_seconds: durationSeconds(policy.approvals?.expires_in ?? DEFAULT_APPROVAL_EXPIRY),
      ...(policy.approvals?.redeem === "identity" ? { redeem: "identity" as const } : {}),
      ...(policy.approvals?.bind_headers?.length ? { bind_headers: sortedUnique(policy.approvals.bind_headers.map((h) => h.toLowerCase())) } : {}),
    },
  };
}

function compileCatalog(tenant: TenantDoc): CatalogRoute[] {
  return (tenant.tools ?? []).flatMap((tool) =>
    tool.routes.map((route) => ({
      host: tool.host.toLowerCase(),
      method: route.method.toUpperCase(),
      path: route.path,
      tool: tool.name,
      action: route.action ?? "",
      ...(tool.protocol === "mcp" ? { protocol: "mcp" as const } : {}),
    })),
  );
}

function compileEgress(tenant: TenantDoc): TenantData["egress"] {
  const entries = tenant.egress_allowlist.map(parseEgressEntry);
  const isSuffix = (e: EgressEntry): boolean => e.host.startsWith("*.");
  // "*.docs.acme.internal" → ".docs.acme.internal": keeping the dot is what stops the suffix
  // from matching "evildocs.acme.internal" or the bare "docs.acme.internal".
  const dotted = (e: EgressEntry): string => e.host.slice(1);
  const portless = entries.filter((e) => e.port === null);
  const ported = entries.filter((e): e is EgressEntry & { port: number } => e.port !== null);
  const exactPorts: Record<string, number[]> = {};
  for (const e of ported.filter((e) => !isSuffix(e))) (exactPorts[e.host] ??= []).push(e.port);
  return {
    exact: Object.fromEntries(portless.filter((e) => !isSuffix(e)).map((e) => [e.host, true as const])),
    suffixes: sortedUnique(portless.filter(isSuffix).map(dotted)),
    exact_ports: Object.fromEntries(Object.entries(exactPorts).map(([host, ports]) => [host, [...new Set(ports)].sort((a, b) => a - b)])),
    suffix_ports: ported
      .filter(isSuffix)
      .map((e) => ({ suffix: dotted(e), port: e.port }))
      .sort((a, b) => (a.suffix === b.suffix ? a.port - b.port : a.suffix < b.suffix ? -1 : 1)),
    rule_id: `${tenant.tenant}/egress_allowlist`,
  };
}

function compileTenant(tenant: TenantDoc, agents: readonly AgentPolicyDoc[]): TenantData {
  return {
    mode: tenant.mode ?? "enforce",
    egress: compileEgress(tenant),
    agents: Object.fromEntries(agents.map((policy) => [policy.agent, compileAgent(policy)])),
    catalog: compileCatalog(tenant),
  };
}

/** Expects documents that passed validateSchemas and validateSemantics. */
export function compile(valid: readonly ValidatedDocument[]): PolicyData {
  const tenants: TenantDoc[] = [];
  const agents: AgentPolicyDoc[] = [];
  for (const { body } of valid) {
    if (body.kind === "Tenant") tenants.push(body);
    else agents.push(body);
  }
  const data: PolicyData = {
    aegis_meta: { format: 1 },
    tenants: Object.fromEntries(
      tenants.map((tenant) => [tenant.tenant, compileTenant(tenant, agents.filter((a) => tenantOf(a) === tenant.tenant))]),
    ),
  };
  return sortKeysDeep(data);
}
