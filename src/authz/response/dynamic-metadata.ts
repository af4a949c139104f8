// The dynamic metadata Envoy attaches to the request (ext_authz namespace), so access logs
// and later filters can join on the decision id. `outcome` is what Envoy enforced; in shadow
// mode `shadowed_outcome` carries what the policy decided.
import type { Struct } from "../../grpc/ext-authz-types.ts";
import type { ExtProcMode } from "../ext-proc-needed.ts";
import { type JsonValue, toStruct } from "../../grpc/struct.ts";

export interface MetadataFields {
  readonly decision_id: string;
  readonly outcome: string;
  readonly reason: string;
  readonly rule_id: string;
  readonly policy_version: string;
  readonly shadowed_outcome?: string | null;
  /** Body parameter names a sanitize decision redacts: Envoy cannot rewrite bodies, SDK callers can. */
  readonly redact_params?: readonly string[];
  /** On allowed calls: who called what, so the ext_proc stream applies this decision to the body. */
  readonly call?: CallMetadata;
}

/** Read by src/extproc/decision-metadata.ts; absent values are left out. */
export interface CallMetadata {
  readonly tenant: string | null;
  readonly agent: string | null;
  readonly tool: string | null;
  readonly action: string | null;
  readonly mcp_method: string | null;
  readonly shadow: boolean;
  /** What the ext_proc filter has to do for this call (x-aegis-ext-proc, src/authz/ext-proc-needed.ts). */
  readonly ext_proc: ExtProcMode;
}

export function decisionMetadata(fields: MetadataFields): Struct {
  const { shadowed_outcome, redact_params, call, ...always } = fields;
  const object: Record<string, JsonValue> = { ...always };
  if (call !== undefined) {
    for (const key of ["tenant", "agent", "tool", "action", "mcp_method"] as const) if (call[key] !== null) object[key] = call[key];
    if (call.shadow) object["shadow"] = true;
  }
  if (shadowed_outcome !== undefined && shadowed_outcome !== null) object["shadowed_outcome"] = shadowed_outcome;
  if (redact_params !== undefined) object["redact_params"] = [...redact_params];
  return toStruct(object);
}
