// The identity of "exactly that call": an approval and its override token are bound to the
// SHA-256 of the canonical (RFC 8785) JSON of tenant, agent, tool, action, method, host, port,
// path, parameters and the headers the agent's policy binds (`approvals.bind_headers`). Method,
// host, port and path are in it because a token approved for one request must not open another
// route of the same tool (POST /v1/refunds with the approved payment's body); bound headers,
// because some choose what the call acts on (`stripe-account`: the same payment, another account).
import { hash } from "node:crypto";
import { canonicalJsonText } from "../canonical/canonical-json.ts";

export interface CallIdentity {
  readonly tenant: string;
  readonly agent: string;
  readonly tool: string;
  readonly action: string;
  /** As the policy input has them: method as sent, host normalized (port stripped), path without the query. */
  readonly method: string;
  readonly host: string;
  /** The port the Host header names; null for the scheme's default. */
  readonly port: number | null;
  readonly path: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Each bound header (lower-case name) → its value, or null when the request lacks it. */
  readonly headers: Readonly<Record<string, string | null>>;
}

export function callDigest(call: CallIdentity): string {
  const canonical = canonicalJsonText({
    tenant: call.tenant, agent: call.agent, tool: call.tool, action: call.action,
    method: call.method, host: call.host, port: call.port, path: call.path, params: call.params, headers: call.headers,
  }) ?? "";
  return hash("sha256", canonical, "hex");
}
