// The decision ext_authz made for this request, as Envoy forwards its dynamic metadata to the
// ext_proc stream (metadata_options.forwarding_namespaces.untyped: envoy.filters.http.ext_authz).
// Only Envoy writes that namespace, so a client cannot forge it the way it could a header; and
// reading it here, rather than evaluating again, keeps one decision per call (SPEC §5).
import type { Metadata } from "../grpc/ext-authz-types.ts";
import { fromStruct, type JsonValue } from "../grpc/struct.ts";

export const EXT_AUTHZ_NAMESPACE = "envoy.filters.http.ext_authz";

export interface ForwardedDecision {
  readonly decision_id: string;
  /** What Envoy enforced: allow or sanitize (denied calls never reach ext_proc). */
  readonly outcome: string;
  readonly policy_version: string;
  readonly tenant: string | null;
  readonly agent: string | null;
  readonly tool: string | null;
  readonly action: string | null;
  /** The JSON-RPC method of a request to an MCP server; null otherwise. */
  readonly mcp_method: string | null;
  /** Shadow mode: the caller gets allow and nothing is rewritten. */
  readonly shadow: boolean;
  /** Body parameter names the sanitize decision redacts. */
  readonly redact_params: readonly string[];
}

export type DecisionRead = { readonly ok: true; readonly decision: ForwardedDecision } | { readonly ok: false; readonly reason: string };

export function readForwardedDecision(metadata: Metadata | null): DecisionRead {
  const struct = metadata?.filter_metadata?.[EXT_AUTHZ_NAMESPACE];
  if (struct === undefined) return { ok: false, reason: `no ${EXT_AUTHZ_NAMESPACE} metadata: ext_authz must run before ext_proc and its namespace be forwarded` };
  const fields = fromStruct(struct);
  const decisionId = text(fields["decision_id"]);
  const outcome = text(fields["outcome"]);
  if (decisionId === null || outcome === null) return { ok: false, reason: "ext_authz metadata without decision_id and outcome" };
  if (outcome !== "allow" && outcome !== "sanitize") return { ok: false, reason: `ext_authz outcome ${outcome} reached ext_proc` };
  const redact = fields["redact_params"];
  if (redact !== undefined && (!Array.isArray(redact) || !redact.every((n) => typeof n === "string"))) {
    return { ok: false, reason: "ext_authz metadata redact_params is not a list of names" };
  }
  return {
    ok: true,
    decision: {
      decision_id: decisionId,
      outcome,
      policy_version: text(fields["policy_version"]) ?? "",
      tenant: text(fields["tenant"]),
      agent: text(fields["agent"]),
      tool: text(fields["tool"]),
      action: text(fields["action"]),
      mcp_method: text(fields["mcp_method"]),
      shadow: fields["shadow"] === true,
      redact_params: outcome === "sanitize" ? ((redact as string[] | undefined) ?? []) : [],
    },
  };
}

function text(value: JsonValue | undefined): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}
