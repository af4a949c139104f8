// Header names Aegis reads or writes, lower case as Envoy hands them over.

export const HEADER = {
  authorization: "authorization",
  contentType: "content-type",
  contentLength: "content-length",
  traceparent: "traceparent",
  tracestate: "tracestate",
  /** Envoy sets this when with_request_body.allow_partial_message cut the body short. */
  partialBody: "x-envoy-auth-partial-body",
  tenant: "x-aegis-tenant",
  agent: "x-aegis-agent",
  parentAgent: "x-aegis-parent-agent",
  /** The parent's signed call-chain attestation (src/identity/call-chain.ts). */
  attestation: "x-aegis-attestation",
  overrideToken: "x-aegis-override-token",
  decisionId: "x-aegis-decision-id",
  policyVersion: "x-aegis-policy-version",
  budgetRemaining: "x-aegis-budget-remaining",
} as const;
