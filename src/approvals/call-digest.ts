// The identity of "exactly that call": an approval and its override token are bound to the
// SHA-256 of the canonical (RFC 8785) JSON of tenant, agent, tool, action and parameters.
import { createHash } from "node:crypto";
import canonicalize from "canonicalize";

export interface CallIdentity {
  readonly tenant: string;
  readonly agent: string;
  readonly tool: string;
  readonly action: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export function callDigest(call: CallIdentity): string {
  const canonical = canonicalize({ tenant: call.tenant, agent: call.agent, tool: call.tool, action: call.action, params: call.params }) ?? "";
  return createHash("sha256").update(canonical).digest("hex");
}
