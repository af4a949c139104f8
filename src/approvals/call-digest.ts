// The identity of "exactly that call": an approval and its override token are bound to the
// SHA-256 of the canonical (RFC 8785) JSON of tenant, agent, tool, action, method, host, path
// and parameters. Method, host and path are in it because a token approved for one request must
// not open another route of the same tool (POST /v1/refunds with the approved payment's body).
import { createHash } from "node:crypto";
import canonicalize from "canonicalize";

export interface CallIdentity {
  readonly tenant: string;
  readonly agent: string;
  readonly tool: string;
  readonly action: string;
  /** As the policy input has them: method as sent, host normalized (port stripped), path without the query. */
  readonly method: string;
  readonly host: string;
  readonly path: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export function callDigest(call: CallIdentity): string {
  const canonical = canonicalize({
    tenant: call.tenant, agent: call.agent, tool: call.tool, action: call.action,
    method: call.method, host: call.host, path: call.path, params: call.params,
  }) ?? "";
  return createHash("sha256").update(canonical).digest("hex");
}
