// The dynamic metadata Envoy attaches to the request (ext_authz namespace), so access logs
// and later filters can join on the decision id. `outcome` is what Envoy enforced; in shadow
// mode `shadowed_outcome` carries what the policy decided.
import type { Struct, StructValue } from "../../grpc/ext-authz-types.ts";
import type { ExtProcMode } from "../ext-proc-needed.ts";
import { toStructValue } from "../../grpc/struct.ts";

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
  // Built straight into Struct fields: this runs on every check, and a JSON object converted by
  // toStruct cost twice the allocations.
  const out: Record<string, StructValue> = {
    decision_id: text(fields.decision_id),
    outcome: text(fields.outcome),
    reason: text(fields.reason),
    rule_id: text(fields.rule_id),
    policy_version: text(fields.policy_version),
  };
  const { call } = fields;
  if (call !== undefined) {
    if (call.tenant !== null) out["tenant"] = text(call.tenant);
    if (call.agent !== null) out["agent"] = text(call.agent);
    if (call.tool !== null) out["tool"] = text(call.tool);
    if (call.action !== null) out["action"] = text(call.action);
    if (call.mcp_method !== null) out["mcp_method"] = text(call.mcp_method);
    if (call.shadow) out["shadow"] = { kind: "boolValue", boolValue: true };
  }
  if (fields.shadowed_outcome !== undefined && fields.shadowed_outcome !== null) out["shadowed_outcome"] = text(fields.shadowed_outcome);
  if (fields.redact_params !== undefined) out["redact_params"] = toStructValue([...fields.redact_params]);
  return { fields: out };
}

function text(value: string): StructValue {
  return { kind: "stringValue", stringValue: value };
}
