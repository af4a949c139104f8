// The SDK's public shapes: one tool call to judge, and the answer. Both modes (remote gRPC and
// embedded WASM) take and return exactly these, so an agent can switch modes by configuration.
import type { Outcome } from "../decision/types.ts";

/**
 * Who is calling. A bearer token is verified by the server (identity.jwt); tenant/agent travel as
 * the x-aegis-tenant / x-aegis-agent headers, which the server honours only when it trusts
 * identity headers (identity.trust_headers). Embedded mode takes tenant/agent as given.
 */
export type AegisIdentity = { readonly bearerToken: string } | { readonly tenant: string; readonly agent: string };

export interface CheckCall {
  readonly tool: string;
  readonly action: string;
  /** The tool's parameters; sent as the JSON body, so the policy sees them as input.params. */
  readonly params?: Readonly<Record<string, unknown>>;
  /** The host the tool call goes to (egress allowlist); a port is ignored. */
  readonly host: string;
  /** Default POST. */
  readonly method?: string;
  /** Path with an optional query string; default "/". Query parameters merge under params. */
  readonly path?: string;
  /** Headers the tool call will carry; sanitize rules may remove some (see sanitizedHeaders). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The delegating agent (x-aegis-parent-agent); needs `attestation` to verify. */
  readonly parentAgent?: string;
  /** The parent's signed call-chain attestation (signAttestation in src/identity/call-chain.ts). */
  readonly attestation?: string;
  /** The one-time token an approved call is retried with (x-aegis-override-token). */
  readonly overrideToken?: string;
}

export interface PendingApprovalInfo {
  readonly approvalId: string;
  readonly expiresAt: string;
  /** Position in the approver queue, when the server reports it. */
  readonly queuePosition?: number;
}

export interface CheckResult {
  /** What is enforced: in shadow mode this is allow and shadowedOutcome holds the real decision. */
  readonly outcome: Outcome;
  /** outcome is allow or sanitize: the call may proceed (with the sanitized values). */
  readonly allowed: boolean;
  readonly reason: string;
  readonly ruleId: string;
  readonly decisionId: string;
  readonly policyVersion: string;
  readonly shadowedOutcome: "would_deny" | "would_need_approval" | null;
  /** Present for approval_needed when the server recorded an approval (never in embedded mode). */
  readonly approval?: PendingApprovalInfo;
  /** For an invalid request: the server's explanation (reason is then "invalid_request"). */
  readonly detail?: string;
  /** The params with every value a sanitize rule names replaced by "[REDACTED]", at any depth. */
  readonly sanitizedParams: Record<string, unknown>;
  /**
   * The parameter names sanitizedParams masks. null when the outcome is sanitize but the server
   * did not say which (it sends them as dynamic metadata `redact_params`); sanitizedParams is
   * then unmasked and must not be trusted — withAegis refuses such a call.
   */
  readonly redactedParams: readonly string[] | null;
  /** The call's headers minus those a sanitize rule removes (names lower-cased). */
  readonly sanitizedHeaders: Record<string, string>;
  /** The call's path with every query parameter a sanitize rule names set to "[REDACTED]". */
  readonly sanitizedPath: string;
  /** Remaining amount per budget (x-aegis-budget-remaining), when the call was charged. */
  readonly budgetRemaining?: Readonly<Record<string, number>>;
}

/** Both modes. */
export interface AegisChecker {
  check(call: CheckCall): Promise<CheckResult>;
  close(): Promise<void>;
}
