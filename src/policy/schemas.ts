// The JSON Schemas in schemas/ are the one source of truth for the policy format; this module
// only compiles them once per process.
import { AegisError } from "../errors/registry.ts";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import commonSchema from "../../schemas/common.schema.json" with { type: "json" };
import agentPolicySchema from "../../schemas/agent-policy.schema.json" with { type: "json" };
import tenantSchema from "../../schemas/tenant.schema.json" with { type: "json" };
import policySchema from "../../schemas/policy.schema.json" with { type: "json" };

export const POLICY_KINDS = ["AgentPolicy", "Tenant"] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];
export const API_VERSION = "aegis/v1";

export type { ErrorObject };

export interface PolicyValidators {
  readonly byKind: Readonly<Record<PolicyKind, ValidateFunction>>;
  // The kind-dispatching schema editors use; compiled too, so its references stay correct.
  readonly anyPolicy: ValidateFunction;
}

let compiled: PolicyValidators | undefined;

export function policyValidators(): PolicyValidators {
  if (compiled !== undefined) return compiled;
  // verbose: errors carry their schema and data, which the messages quote.
  const ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true });
  // Registered under their file names, so the relative `$ref`s editors follow resolve here too.
  ajv.addSchema(commonSchema, "common.schema.json");
  ajv.addSchema(agentPolicySchema, "agent-policy.schema.json");
  ajv.addSchema(tenantSchema, "tenant.schema.json");
  ajv.addSchema(policySchema, "policy.schema.json");
  const get = (key: string): ValidateFunction => {
    const validate = ajv.getSchema(key);
    if (validate === undefined) throw new AegisError("AEGIS_ERR_POLICY_INVALID", `schema ${key} did not compile`);
    return validate;
  };
  compiled = {
    byKind: { AgentPolicy: get("agent-policy.schema.json"), Tenant: get("tenant.schema.json") },
    anyPolicy: get("policy.schema.json"),
  };
  return compiled;
}
