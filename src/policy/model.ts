// The YAML documents as the schemas in schemas/ admit them; only schema-valid values are typed
// this way. Keep in step with schemas/agent-policy.schema.json and schemas/tenant.schema.json.
import type { SourceDocument } from "./source-document.ts";

export type Mode = "enforce" | "shadow";
export type ApprovalChannel = "api" | "slack" | "teams" | "webhook";
/** token: only the override token lets the approved call through; identity: so does the same identity's identical retry. */
export type ApprovalRedeem = "token" | "identity";

export interface ConditionsDoc {
  readonly max_amount?: number;
  readonly approval_threshold?: number;
  readonly hard_limit?: number;
  readonly amount_param?: string;
}

export interface SanitizeDoc {
  readonly headers?: readonly string[];
  readonly query?: readonly string[];
  readonly params?: readonly string[];
  /** Tool-result redactions, applied by the ext_proc stream (src/extproc). */
  readonly response?: ResponseSanitizeDoc;
}

export interface ResponseSanitizeDoc {
  readonly paths?: readonly string[];
  readonly patterns?: readonly string[];
  readonly regexes?: readonly string[];
}

export interface ParamRuleDoc {
  readonly enum?: readonly (string | number | boolean | null)[];
  readonly pattern?: string;
  readonly glob?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly max_length?: number;
  readonly hosts?: readonly string[];
  readonly required?: boolean;
  readonly forbidden?: boolean;
}

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

export interface ScheduleDoc {
  readonly timezone?: string;
  readonly days?: readonly Weekday[];
  readonly hours?: readonly string[];
}

/** The settings a tool entry gives all its actions, and an action object may set for itself. */
export interface ActionSettingsDoc {
  readonly conditions?: ConditionsDoc;
  readonly sanitize?: SanitizeDoc;
  readonly params?: Readonly<Record<string, ParamRuleDoc>>;
  readonly additional_params?: "allow" | "deny";
  readonly schedule?: ScheduleDoc;
}

/** An action with settings of its own; each one set replaces the tool entry's for this action. */
export interface ActionObjectDoc extends ActionSettingsDoc {
  readonly name: string;
}

/** A plain name takes the tool entry's settings. */
export type ActionDoc = string | ActionObjectDoc;

export interface AllowedToolDoc extends ActionSettingsDoc {
  readonly name: string;
  readonly actions: readonly ActionDoc[];
  /** An MCP server: its MCP tools are the actions, protocol traffic is allowed (docs/mcp.md). */
  readonly protocol?: "mcp";
  readonly mcp?: { readonly methods?: readonly string[] };
}

export function actionName(action: ActionDoc): string {
  return typeof action === "string" ? action : action.name;
}

export interface BudgetDoc {
  readonly name: string;
  readonly tool?: string;
  readonly sum_param?: string;
  readonly limit: number;
  readonly window: string;
}

export interface AgentPolicyDoc {
  readonly apiVersion: "aegis/v1";
  readonly kind: "AgentPolicy";
  readonly tenant?: string;
  readonly agent: string;
  readonly mode?: Mode;
  readonly allowed_tools: readonly AllowedToolDoc[];
  readonly budgets?: readonly BudgetDoc[];
  readonly call_chain?: { readonly allowed_parents: readonly string[]; readonly max_depth?: number };
  readonly approvals?: { readonly channels?: readonly ApprovalChannel[]; readonly expires_in?: string; readonly redeem?: ApprovalRedeem; readonly bind_headers?: readonly string[] };
}

export interface CatalogToolDoc {
  readonly name: string;
  readonly protocol?: "mcp";
  readonly host: string;
  readonly routes: readonly { readonly method: string; readonly path: string; readonly action?: string }[];
}

export interface TenantDoc {
  readonly apiVersion: "aegis/v1";
  readonly kind: "Tenant";
  readonly tenant: string;
  readonly mode?: Mode;
  readonly egress_allowlist: readonly string[];
  readonly tools?: readonly CatalogToolDoc[];
}

export const DEFAULT_TENANT = "default";

export type ValidatedDocument =
  | { readonly source: SourceDocument; readonly body: AgentPolicyDoc }
  | { readonly source: SourceDocument; readonly body: TenantDoc };

export function tenantOf(policy: AgentPolicyDoc): string {
  return policy.tenant ?? DEFAULT_TENANT;
}
