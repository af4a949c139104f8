// The compiled data.json (docs/contracts.md §1): every default explicit, so Rego never guesses.
import type { ApprovalChannel, ApprovalRedeem, Mode } from "./model.ts";

export interface PolicyData {
  readonly aegis_meta: { readonly format: 1 };
  readonly tenants: Readonly<Record<string, TenantData>>;
}

export interface TenantData {
  readonly mode: Mode;
  readonly egress: {
    // Lower-cased exact hosts without a port.
    readonly exact: Readonly<Record<string, true>>;
    // ".docs.acme.internal" from "*.docs.acme.internal": a host matches when it ends with one.
    readonly suffixes: readonly string[];
    // Entries with a port ("api.stripe.com:8443", "*.docs.acme.internal:8443") admit that port
    // only; the entries above admit the scheme's default port only.
    readonly exact_ports: Readonly<Record<string, readonly number[]>>;
    readonly suffix_ports: readonly { readonly suffix: string; readonly port: number }[];
    readonly rule_id: string;
  };
  readonly agents: Readonly<Record<string, AgentData>>;
  // First match wins, in file order.
  readonly catalog: readonly CatalogRoute[];
}

export interface CatalogRoute {
  readonly host: string;
  readonly method: string;
  readonly path: string;
  readonly tool: string;
  /** "" on an MCP tool's route: the action comes from the body. */
  readonly action: string;
  /** Present only on an MCP tool's routes. */
  readonly protocol?: "mcp";
}

export interface AgentData {
  readonly mode: Mode;
  readonly rule_ids: { readonly tool_not_allowed: string; readonly call_chain_violation: string };
  readonly tools: Readonly<Record<string, ToolData>>;
  readonly budgets: readonly BudgetData[];
  // null: no parent is allowed.
  readonly call_chain: { readonly allowed_parents: readonly string[]; readonly max_depth: number } | null;
  readonly approvals: {
    readonly channels: readonly ApprovalChannel[];
    readonly expires_in_seconds: number;
    /** Written only when the policy chose "identity" (the host alone reads it). */
    readonly redeem?: ApprovalRedeem;
    /** Lower-case header names whose values the call digest binds (absent when none). */
    readonly bind_headers?: readonly string[];
  };
  // Every time zone a schedule of the agent names, sorted: the host computes the local day and
  // time in each (input.now) for this agent's calls, and only when there is one.
  readonly schedule_zones: readonly string[];
  // Parameter and query names the redact rules of the agent's custom Rego modules (tenant-wide or
  // its own) write literally, sorted: masked in logs and previews like sanitize names, whatever
  // the outcome. Filled by `aegis build` from the modules; [] without any.
  readonly custom_redactions: readonly string[];
}

export interface AmountRule {
  readonly param: string;
  readonly threshold: number;
  readonly hard_limit: number;
}

export interface SanitizeRule {
  readonly headers: readonly string[];
  readonly query: readonly string[];
  readonly params: readonly string[];
}

// Ids exist only for rules the action has: the amount ids when `amount` is set, `sanitize`
// when `sanitize` is set. Each names the YAML that decides: the action object's own
// `.../actions/<action>/...` when it set the rule, else the tool entry's.
export interface ActionRuleIds {
  readonly allowed: string;
  readonly within_limit?: string;
  readonly approval_needed?: string;
  readonly blocked_over_hard_limit?: string;
  readonly invalid_amount?: string;
  readonly sanitize?: string;
  readonly outside_schedule?: string;
}

/** One `params:` rule, every kind explicit (null or false when not set). */
export interface ParamRuleData {
  readonly path: string;
  // "items[].sku" → ["items", "[]", "sku"]; at most MAX_PARAM_PATH_STEPS steps.
  readonly steps: readonly string[];
  readonly rule_id: string;
  readonly required: boolean;
  readonly forbidden: boolean;
  readonly enum: readonly (string | number | boolean | null)[] | null;
  // Anchored: "^(?:<pattern>)$".
  readonly pattern: string | null;
  // Each glob as an anchored RE2 expression over the resolved path (src/policy/path-glob.ts).
  readonly glob: readonly string[] | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly max_length: number | null;
  // Like the egress allowlist: lower-cased exact hosts, and ".suffix" for "*.suffix".
  readonly hosts: { readonly exact: Readonly<Record<string, true>>; readonly suffixes: readonly string[] } | null;
}

export interface ParamsData {
  // Sorted by path.
  readonly rules: readonly ParamRuleData[];
  // "deny": a top-level parameter not in `named` is param_not_allowed (rule id additional_rule_id).
  readonly additional: "allow" | "deny";
  // Top-level names a rule or the amount rule reads.
  readonly named: Readonly<Record<string, true>>;
  readonly additional_rule_id: string;
}

export interface ScheduleData {
  readonly timezone: string;
  readonly days: readonly string[];
  // [start, end) in minutes after midnight, sorted.
  readonly minutes: readonly (readonly [number, number])[];
}

/** The effective settings of one allowed action: the entry's, with an action object's own in their place. */
export interface ActionData {
  readonly amount: AmountRule | null;
  readonly sanitize: SanitizeRule | null;
  // null when neither the entry nor the action object has params rules or additional_params: deny.
  readonly params: ParamsData | null;
  // null when neither has a schedule.
  readonly schedule: ScheduleData | null;
  readonly rule_ids: ActionRuleIds;
  /** Present only when `sanitize.response` is set: read by the host (ext_proc), never by Rego. */
  readonly response?: ResponseRule;
}

/** `sanitize.response` of one action: applied to its tool results by the ext_proc stream. */
export interface ResponseRule {
  readonly paths: readonly string[];
  readonly patterns: readonly string[];
  readonly regexes: readonly string[];
  readonly rule_id: string;
}

export interface ToolData {
  // Every allowed action, keyed by name; anything else is action_not_allowed.
  readonly actions: Readonly<Record<string, ActionData>>;
  readonly rule_ids: { readonly action_not_allowed: string };
  /** Present only on a `protocol: mcp` entry: the protocol methods allowed (mcp.methods or the default list). */
  readonly mcp?: { readonly methods: readonly string[]; readonly rule_id: string };
}

export interface BudgetData {
  readonly name: string;
  // null: every call of the agent counts.
  readonly tool: string | null;
  // null: each call costs 1.
  readonly sum_param: string | null;
  readonly limit: number;
  readonly window_seconds: number;
  readonly rule_id: string;
}
