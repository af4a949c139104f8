// The Aegis SDK for agents that call tools in-process rather than through an Envoy sidecar.
// docs/sdk.md has the guide.
export { createAegisClient, DEFAULT_CHECK_TIMEOUT_MS, type AegisClientOptions } from "./remote-client.ts";
export { createEmbeddedAegis, type EmbeddedAegisOptions } from "./embedded.ts";
export { withAegis, type CallContext, type WithAegisOptions } from "./with-aegis.ts";
export { AegisApprovalPendingError, AegisDeniedError } from "./errors.ts";
export { REDACT_PARAMS_KEY } from "./parse-check-response.ts";
export type { AegisChecker, AegisIdentity, CheckCall, CheckResult, PendingApprovalInfo } from "./types.ts";
export { signAttestation, type AttestationClaims, type SigningKey } from "../identity/call-chain.ts";
