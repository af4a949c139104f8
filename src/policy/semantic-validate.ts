// Stage 3: rules no single-document schema can express: uniqueness across documents and files,
// references between fields, and limits that contradict each other.
import { suggestionSuffix } from "./did-you-mean.ts";
import { parseEgressEntry, validPort } from "./egress-entry.ts";
import { childPointer } from "./json-pointer.ts";
import { locate } from "./locate.ts";
import {
  actionName,
  tenantOf,
  type ActionSettingsDoc,
  type AgentPolicyDoc,
  type AllowedToolDoc,
  type ConditionsDoc,
  type ParamRuleDoc,
  type ResponseSanitizeDoc,
  type ScheduleDoc,
  type TenantDoc,
  type ValidatedDocument,
} from "./model.ts";
import { MAX_PARAM_PATH_STEPS, paramPathSteps } from "./param-path.ts";
import { globProblem } from "./path-glob.ts";
import { anchoredPattern, re2Problem } from "./re2-syntax.ts";
import { hoursProblem, timezoneProblem } from "./schedule.ts";
import type { Problem } from "./problem.ts";
import { ACTION_METHODS, RESERVED_ACTIONS } from "./mcp-methods.ts";
import { responsePathProblem, responseRegexProblem } from "./response-patterns.ts";
import type { SourceDocument } from "./source-document.ts";

interface Place {
  readonly source: SourceDocument;
  readonly pointer: string;
}

function problemAt({ source, pointer }: Place, message: string): Problem {
  return { file: source.file, ...locate(source, pointer), pointer, message };
}

function describePlace({ source, pointer }: Place): string {
  const { line, col } = locate(source, pointer);
  return `${source.file}:${line}:${col}`;
}

/** Reports every item whose key was already seen, naming where it first appeared. */
function duplicates<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  placeOf: (item: T) => Place,
  message: (item: T, first: string) => string,
): Problem[] {
  const seen = new Map<string, T>();
  const problems: Problem[] = [];
  for (const item of items) {
    const key = keyOf(item);
    const earlier = seen.get(key);
    if (earlier === undefined) seen.set(key, item);
    else problems.push(problemAt(placeOf(item), message(item, describePlace(placeOf(earlier)))));
  }
  return problems;
}

function conditionsProblems(source: SourceDocument, base: string, conditions: ConditionsDoc | undefined): Problem[] {
  if (conditions === undefined) return [];
  const problems: Problem[] = [];
  const hasThreshold = conditions.max_amount !== undefined || conditions.approval_threshold !== undefined;
  for (const field of ["hard_limit", "amount_param"] as const) {
    if (conditions[field] !== undefined && !hasThreshold) {
      problems.push(problemAt({ source, pointer: `${base}/${field}` }, `${field} needs max_amount or approval_threshold beside it`));
    }
  }
  const hardLimit = conditions.hard_limit;
  if (hardLimit === undefined) return problems;
  for (const field of ["max_amount", "approval_threshold"] as const) {
    const limit = conditions[field];
    if (limit !== undefined && limit > hardLimit) {
      problems.push(problemAt({ source, pointer: `${base}/${field}` }, `${field} (${limit}) is above hard_limit (${hardLimit})`));
    }
  }
  return problems;
}

function paramRuleProblems(source: SourceDocument, pointer: string, path: string, rule: ParamRuleDoc): Problem[] {
  const problems: Problem[] = [];
  const at = (field: string, message: string) => problems.push(problemAt({ source, pointer: childPointer(pointer, field) }, message));
  const steps = paramPathSteps(path).length;
  if (steps > MAX_PARAM_PATH_STEPS) problems.push(problemAt({ source, pointer }, `parameter path \`${path}\` has ${steps} steps; at most ${MAX_PARAM_PATH_STEPS} are allowed`));
  if (rule.pattern !== undefined) {
    const problem = re2Problem(rule.pattern) ?? re2Problem(anchoredPattern(rule.pattern));
    if (problem !== null) at("pattern", problem);
  }
  for (const [k, glob] of (rule.glob ?? []).entries()) {
    const problem = globProblem(glob);
    if (problem !== null) problems.push(problemAt({ source, pointer: childPointer(childPointer(pointer, "glob"), k) }, problem));
  }
  if (rule.min !== undefined && rule.max !== undefined && rule.min > rule.max) at("min", `min (${rule.min}) is above max (${rule.max})`);
  if (rule.required === true && rule.forbidden === true) at("forbidden", "a parameter cannot be both required and forbidden");
  const hosts = (rule.hosts ?? []).map((host, k) => ({ host: host.toLowerCase(), pointer: childPointer(childPointer(pointer, "hosts"), k) }));
  problems.push(
    ...duplicates(
      hosts,
      (h) => h.host,
      (h) => ({ source, pointer: h.pointer }),
      (h, first) => `\`${h.host}\` is already listed at ${first} (host names ignore case)`,
    ),
  );
  return problems;
}

function scheduleProblems(source: SourceDocument, pointer: string, schedule: ScheduleDoc | undefined): Problem[] {
  if (schedule === undefined) return [];
  const problems: Problem[] = [];
  const zone = schedule.timezone === undefined ? null : timezoneProblem(schedule.timezone);
  if (zone !== null) problems.push(problemAt({ source, pointer: childPointer(pointer, "timezone") }, zone));
  for (const [k, hours] of (schedule.hours ?? []).entries()) {
    const problem = hoursProblem(hours);
    if (problem !== null) problems.push(problemAt({ source, pointer: childPointer(childPointer(pointer, "hours"), k) }, problem));
  }
  return problems;
}

// The checks shared by a tool entry and an action object, on the settings they hold.
function settingsProblems(source: SourceDocument, pointer: string, settings: ActionSettingsDoc): Problem[] {
  const problems = conditionsProblems(source, `${pointer}/conditions`, settings.conditions);
  for (const [path, rule] of Object.entries(settings.params ?? {})) {
    problems.push(...paramRuleProblems(source, childPointer(`${pointer}/params`, path), path, rule));
  }
  problems.push(...scheduleProblems(source, `${pointer}/schedule`, settings.schedule));
  problems.push(...responseSanitizeProblems(source, `${pointer}/sanitize/response`, settings.sanitize?.response));
  return problems;
}

// A plain name and an object of the same name are the same action twice, which the schema's
// uniqueItems cannot see; an action object's conditions are checked like the entry's.
function toolProblems(source: SourceDocument, tool: AllowedToolDoc, toolPointer: string): Problem[] {
  const problems = settingsProblems(source, toolPointer, tool);
  const actions = tool.actions.map((action, j) => ({
    action,
    name: actionName(action),
    pointer: typeof action === "string" ? `${toolPointer}/actions/${j}` : `${toolPointer}/actions/${j}/name`,
  }));
  problems.push(
    ...duplicates(
      actions,
      (a) => a.name,
      (a) => ({ source, pointer: a.pointer }),
      (a, first) => `action \`${a.name}\` is already listed at ${first}; give it one entry`,
    ),
  );
  for (const [j, action] of tool.actions.entries()) {
    if (typeof action !== "string") problems.push(...settingsProblems(source, `${toolPointer}/actions/${j}`, action));
  }
  problems.push(...mcpProblems(source, tool, toolPointer, actions));
  return problems;
}

// Custom response regexes and paths are checked here, at build time, so a bundle never carries
// one the ext_proc stream could not compile or that would match everywhere.
function responseSanitizeProblems(source: SourceDocument, base: string, response: ResponseSanitizeDoc | undefined): Problem[] {
  const problems: Problem[] = [];
  for (const [k, regex] of (response?.regexes ?? []).entries()) {
    const problem = responseRegexProblem(regex);
    if (problem !== null) problems.push(problemAt({ source, pointer: `${base}/regexes/${k}` }, problem));
  }
  for (const [k, path] of (response?.paths ?? []).entries()) {
    const problem = responsePathProblem(path);
    if (problem !== null) problems.push(problemAt({ source, pointer: `${base}/paths/${k}` }, problem));
  }
  return problems;
}

// MCP settings need `protocol: mcp`; the reserved actions exist only on MCP tools; actions are
// judged as actions, so mcp.methods cannot let them through as protocol traffic.
function mcpProblems(source: SourceDocument, tool: AllowedToolDoc, toolPointer: string, actions: readonly { name: string; pointer: string }[]): Problem[] {
  const problems: Problem[] = [];
  const isMcp = tool.protocol === "mcp";
  if (tool.mcp !== undefined && !isMcp) problems.push(problemAt({ source, pointer: `${toolPointer}/mcp` }, "mcp settings need `protocol: mcp` on the tool"));
  if (!isMcp) {
    for (const a of actions) {
      if (RESERVED_ACTIONS.includes(a.name)) problems.push(problemAt({ source, pointer: a.pointer }, `action \`${a.name}\` exists only on a tool with \`protocol: mcp\``));
    }
  }
  for (const [k, method] of (tool.mcp?.methods ?? []).entries()) {
    if (ACTION_METHODS.includes(method)) {
      problems.push(problemAt({ source, pointer: `${toolPointer}/mcp/methods/${k}` }, `${method} is judged as an action, not protocol traffic; list its action under actions instead`));
    }
  }
  return problems;
}

function agentProblems(source: SourceDocument, policy: AgentPolicyDoc, declaredTenants: ReadonlySet<string>): Problem[] {
  const problems: Problem[] = [];
  const tenant = tenantOf(policy);
  if (!declaredTenants.has(tenant)) {
    const named = policy.tenant === undefined ? `\`${tenant}\` (the default when \`tenant\` is omitted)` : `\`${tenant}\``;
    problems.push(problemAt({ source, pointer: policy.tenant === undefined ? "" : "/tenant" }, `tenant ${named} has no Tenant document`));
  }
  const tools = policy.allowed_tools.map((tool, i) => ({ name: tool.name, pointer: `/allowed_tools/${i}/name` }));
  problems.push(
    ...duplicates(
      tools,
      (t) => t.name,
      (t) => ({ source, pointer: t.pointer }),
      (t, first) => `tool \`${t.name}\` is already listed at ${first}; merge the two entries`,
    ),
  );
  for (const [i, tool] of policy.allowed_tools.entries()) problems.push(...toolProblems(source, tool, `/allowed_tools/${i}`));
  const budgets = (policy.budgets ?? []).map((budget, i) => ({ budget, pointer: `/budgets/${i}` }));
  problems.push(
    ...duplicates(
      budgets,
      (b) => b.budget.name,
      (b) => ({ source, pointer: childPointer(b.pointer, "name") }),
      (b, first) => `budget \`${b.budget.name}\` is already defined at ${first}`,
    ),
  );
  const toolNames = tools.map((t) => t.name);
  for (const { budget, pointer } of budgets) {
    if (budget.tool !== undefined && !toolNames.includes(budget.tool)) {
      problems.push(
        problemAt(
          { source, pointer: childPointer(pointer, "tool") },
          `budget names tool \`${budget.tool}\`, which is not in allowed_tools${suggestionSuffix(budget.tool, toolNames)}`,
        ),
      );
    }
  }
  problems.push(...bindHeaderProblems(source, policy.approvals?.bind_headers ?? []));
  return problems;
}

// The override token travels in a header of the retried call and differs from the approved one,
// so binding it would make every token a mismatch; header names are case-insensitive, which the
// schema's uniqueItems cannot see.
const UNBINDABLE_HEADERS = new Set(["x-aegis-override-token"]);

function bindHeaderProblems(source: SourceDocument, names: readonly string[]): Problem[] {
  const entries = names.map((name, i) => ({ name, pointer: `/approvals/bind_headers/${i}` }));
  const problems = entries
    .filter((e) => UNBINDABLE_HEADERS.has(e.name.toLowerCase()))
    .map((e) => problemAt({ source, pointer: e.pointer }, `\`${e.name}\` cannot be bound: it is the override token itself, which the retried call adds`));
  problems.push(
    ...duplicates(
      entries,
      (e) => e.name.toLowerCase(),
      (e) => ({ source, pointer: e.pointer }),
      (e, first) => `header \`${e.name}\` is already bound at ${first} (header names are case-insensitive)`,
    ),
  );
  return problems;
}

function tenantProblems(source: SourceDocument, tenant: TenantDoc): Problem[] {
  const problems: Problem[] = [];
  // Host names are case-insensitive and ports numbers ("api.stripe.com:0443" is ":443"), which
  // the schema's uniqueItems cannot see.
  const hosts = tenant.egress_allowlist.map((entry, i) => {
    const { host, port } = parseEgressEntry(entry);
    return { host: port === null ? host : `${host}:${port}`, port, pointer: `/egress_allowlist/${i}` };
  });
  for (const h of hosts) {
    if (h.port !== null && !validPort(h.port)) problems.push(problemAt({ source, pointer: h.pointer }, `port ${h.port} is not a port: it must be from 1 to 65535`));
  }
  problems.push(
    ...duplicates(
      hosts,
      (h) => h.host,
      (h) => ({ source, pointer: h.pointer }),
      (h, first) => `\`${h.host}\` is already allowed at ${first} (host names ignore case)`,
    ),
  );
  // An MCP tool's actions come from the request body; every other route names its action.
  for (const [i, tool] of (tenant.tools ?? []).entries()) {
    for (const [j, route] of tool.routes.entries()) {
      if (tool.protocol === "mcp" && route.action !== undefined) {
        problems.push(problemAt({ source, pointer: `/tools/${i}/routes/${j}/action` }, "an MCP tool's routes name no action: tools/call names it in the body"));
      } else if (tool.protocol !== "mcp" && route.action === undefined) {
        problems.push(problemAt({ source, pointer: `/tools/${i}/routes/${j}` }, "route names no action (only the routes of a `protocol: mcp` tool may leave it out)"));
      }
    }
  }
  // A tool may appear once per host it is served from; only a repeated route is a mistake.
  const routes = (tenant.tools ?? []).flatMap((tool, i) =>
    tool.routes.map((route, j) => ({
      key: `${route.method.toUpperCase()} ${tool.host.toLowerCase()}${route.path}`,
      pointer: `/tools/${i}/routes/${j}`,
    })),
  );
  problems.push(
    ...duplicates(
      routes,
      (r) => r.key,
      (r) => ({ source, pointer: r.pointer }),
      (r, first) => `route \`${r.key}\` repeats the route at ${first}, which always matches first`,
    ),
  );
  return problems;
}

/**
 * `declaredTenants` holds every tenant some Tenant document names, even one that failed the
 * earlier stages, so a broken Tenant file does not also make its agents report a missing tenant.
 */
export function validateSemantics(valid: readonly ValidatedDocument[], declaredTenants: ReadonlySet<string>): Problem[] {
  const problems: Problem[] = [];
  const tenants: { source: SourceDocument; body: TenantDoc }[] = [];
  const agents: { source: SourceDocument; body: AgentPolicyDoc }[] = [];
  for (const doc of valid) {
    if (doc.body.kind === "Tenant") tenants.push({ source: doc.source, body: doc.body });
    else agents.push({ source: doc.source, body: doc.body });
  }
  problems.push(
    ...duplicates(
      tenants,
      (t) => t.body.tenant,
      (t) => ({ source: t.source, pointer: "/tenant" }),
      (t, first) => `tenant \`${t.body.tenant}\` is already declared at ${first}`,
    ),
  );
  problems.push(
    ...duplicates(
      agents,
      (a) => `${tenantOf(a.body)}/${a.body.agent}`,
      (a) => ({ source: a.source, pointer: "/agent" }),
      (a, first) => `agent \`${a.body.agent}\` of tenant \`${tenantOf(a.body)}\` is already defined at ${first}`,
    ),
  );
  for (const { source, body } of tenants) problems.push(...tenantProblems(source, body));
  for (const { source, body } of agents) problems.push(...agentProblems(source, body, declaredTenants));
  return problems;
}
