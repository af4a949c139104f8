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
}

export function decisionMetadata(fields: MetadataFields): Struct {
  const { shadowed_outcome, ...always } = fields;
  const object: Record<string, JsonValue> = { ...always };
  if (shadowed_outcome !== undefined && shadowed_outcome !== null) object["shadowed_outcome"] = shadowed_outcome;
  return toStruct(object);
}
