// What `aegis eval --input` was handed: a CheckRequest as Envoy sends it (attributes.request.http,
// an MCP body included), or a policy input (docs/contracts.md §2). Anything else is refused with
// a message rather than guessed at.
import type { CheckRequest } from "../grpc/ext-authz-types.ts";
import type { PolicyInput } from "../input/types.ts";

export type EvalInput =
  | { readonly kind: "check_request"; readonly request: CheckRequest }
  | { readonly kind: "policy_input"; readonly input: Partial<PolicyInput> & { readonly now?: unknown } }
  | { readonly kind: "refused"; readonly reason: string };

const POLICY_INPUT_FIELDS = new Set([
  "tenant", "agent", "identity_source", "tool", "action", "params", "host", "method", "path", "truncated_body", "call_chain", "budgets", "now",
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function classifyEvalInput(value: unknown): EvalInput {
  if (!isRecord(value)) return { kind: "refused", reason: "the input must be a JSON object: a CheckRequest or a policy input" };
  const keys = Object.keys(value);
  if ("attributes" in value) {
    const http = (((value.attributes as Record<string, unknown> | undefined)?.request as Record<string, unknown> | undefined)?.http);
    if (!isRecord(http)) return { kind: "refused", reason: "a CheckRequest needs attributes.request.http (as Envoy's ext_authz filter sends it)" };
    const stray = keys.filter((k) => k !== "attributes");
    if (stray.length > 0) return { kind: "refused", reason: `a CheckRequest has only \`attributes\`; unexpected ${stray.map((k) => `\`${k}\``).join(", ")}` };
    return { kind: "check_request", request: value as unknown as CheckRequest };
  }
  // {} is a policy input whose every field takes its neutral default (no identity: unknown_agent).
  const unknown = keys.filter((k) => !POLICY_INPUT_FIELDS.has(k));
  if (unknown.length > 0) {
    const what = `unknown field${unknown.length === 1 ? "" : "s"} ${unknown.map((k) => `\`${k}\``).join(", ")}`;
    return { kind: "refused", reason: `neither a CheckRequest (no \`attributes\`) nor a policy input (${what}; docs/contracts.md §2 lists its fields)` };
  }
  return { kind: "policy_input", input: value as Partial<PolicyInput> };
}
