// The dynamic metadata Envoy attaches to the request (ext_authz namespace), so access logs
// and later filters can join on the decision id. `outcome` is what Envoy enforced; in shadow
// mode `shadowed_outcome` carries what the policy decided.
import type { Struct } from "../../grpc/ext-authz-types.ts";
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
}

export function decisionMetadata(fields: MetadataFields): Struct {
  const { shadowed_outcome, redact_params, ...always } = fields;
  const object: Record<string, JsonValue> = { ...always };
  if (shadowed_outcome !== undefined && shadowed_outcome !== null) object["shadowed_outcome"] = shadowed_outcome;
  if (redact_params !== undefined) object["redact_params"] = [...redact_params];
  return toStruct(object);
}
