// The one registry of Aegis error codes. Codes are stable: they appear in logs, metrics
// labels, CLI output and docs/errors.md, so never rename one; add new ones instead.

/** gRPC status names as in grpc-js `status` (kept as names so the registry needs no gRPC library). */
export type GrpcStatusName = "INVALID_ARGUMENT" | "NOT_FOUND" | "FAILED_PRECONDITION" | "PERMISSION_DENIED" | "UNAUTHENTICATED" | "INTERNAL" | "UNAVAILABLE";

export interface ErrorInfo {
  readonly message: string;
  readonly grpc: GrpcStatusName;
  readonly http: number;
}

/**
 * Every code with what it means and the status it answers with (the error knows its status, as
 * in fastify): the gRPC server answers a failed Check with `grpc`, the admin HTTP server a failed
 * request with `http`. A fault in the check path itself (evaluation, state, decision log,
 * configuration) is INTERNAL, so Envoy's failure_mode_allow / status_on_error decides.
 */
export const ERRORS = {
  AEGIS_ERR_CONFIG_INVALID: { message: "configuration failed validation", grpc: "INTERNAL", http: 500 },
  AEGIS_ERR_POLICY_INVALID: { message: "policy files failed validation", grpc: "INVALID_ARGUMENT", http: 400 },
  AEGIS_ERR_POLICY_READ: { message: "a policy file or directory could not be read", grpc: "NOT_FOUND", http: 404 },
  AEGIS_ERR_OPA_NOT_FOUND: { message: "the OPA CLI was not found (run scripts/setup.sh or set AEGIS_OPA)", grpc: "INTERNAL", http: 500 },
  AEGIS_ERR_OPA_BUILD: { message: "opa build failed", grpc: "INTERNAL", http: 500 },
  AEGIS_ERR_BUNDLE_READ: { message: "the bundle could not be read or unpacked", grpc: "INTERNAL", http: 500 },
  AEGIS_ERR_BUNDLE_INVALID: { message: "the bundle is missing a required file or has a bad manifest", grpc: "INTERNAL", http: 500 },
  AEGIS_ERR_BUNDLE_UNSIGNED: { message: "the bundle carries no signature but one is required", grpc: "INTERNAL", http: 500 },
  AEGIS_ERR_BUNDLE_SIGNATURE: { message: "the bundle signature or a file hash does not verify", grpc: "INTERNAL", http: 500 },
  AEGIS_ERR_BUNDLE_FETCH: { message: "the bundle could not be fetched", grpc: "UNAVAILABLE", http: 502 },
  AEGIS_ERR_BUNDLE_WRITE: { message: "the bundle file could not be written", grpc: "INTERNAL", http: 500 },
  AEGIS_ERR_BUNDLE_TOO_LARGE: { message: "the bundle exceeds a size or entry-count limit", grpc: "INTERNAL", http: 500 },
  AEGIS_ERR_BUNDLE_DATA_INVALID: { message: "the bundle's data.json does not match its schema", grpc: "INTERNAL", http: 500 },
  AEGIS_ERR_WASM_LOAD: { message: "the policy WASM module failed to load", grpc: "INTERNAL", http: 500 },
  AEGIS_ERR_ENTRYPOINT_MISSING: { message: "the bundle lacks a required entrypoint", grpc: "INTERNAL", http: 500 },
  AEGIS_ERR_EVAL: { message: "policy evaluation failed", grpc: "INTERNAL", http: 500 },
  AEGIS_ERR_DECISION_MALFORMED: { message: "policy evaluation returned a result of the wrong shape", grpc: "INTERNAL", http: 500 },
  AEGIS_ERR_NO_BUNDLE: { message: "no bundle is loaded", grpc: "UNAVAILABLE", http: 503 },
  AEGIS_ERR_STATE: { message: "the state store failed", grpc: "INTERNAL", http: 500 },
  AEGIS_ERR_APPROVAL_NOT_FOUND: { message: "no such approval", grpc: "NOT_FOUND", http: 404 },
  AEGIS_ERR_APPROVAL_STATE: { message: "the approval is not pending", grpc: "FAILED_PRECONDITION", http: 409 },
  AEGIS_ERR_DECISION_LOG: { message: "the decision log could not accept or write a record", grpc: "INTERNAL", http: 500 },
  AEGIS_ERR_NOTIFY: { message: "an approval notification could not be delivered", grpc: "INTERNAL", http: 500 },
  AEGIS_ERR_SLACK_REQUEST: { message: "a Slack interaction request is unsigned, stale or malformed", grpc: "UNAUTHENTICATED", http: 401 },
  AEGIS_ERR_USAGE: { message: "the command line is wrong", grpc: "INVALID_ARGUMENT", http: 400 },
  AEGIS_ERR_LISTEN: { message: "a server could not listen on its address", grpc: "INTERNAL", http: 500 },
  AEGIS_ERR_PROTO_LOAD: { message: "the gRPC proto files could not be loaded", grpc: "INTERNAL", http: 500 },
  AEGIS_ERR_BENCH: { message: "a benchmark could not run: a tool is missing or failed, or its output is unreadable", grpc: "INTERNAL", http: 500 },
  AEGIS_ERR_SDK_CHECK: { message: "the SDK got no decision: the call is malformed, Aegis is unreachable, answered a gRPC error or an unreadable response", grpc: "UNAVAILABLE", http: 503 },
  AEGIS_ERR_SDK_DENIED: { message: "the policy denied the tool call (SDK)", grpc: "PERMISSION_DENIED", http: 403 },
  AEGIS_ERR_SDK_APPROVAL_PENDING: { message: "the tool call waits for a human approval (SDK)", grpc: "PERMISSION_DENIED", http: 403 },
  AEGIS_ERR_REQUEST_INVALID: { message: "an API request's body or parameters failed validation", grpc: "INVALID_ARGUMENT", http: 400 },
  AEGIS_ERR_BUNDLE_HISTORY: { message: "the requested bundle revision is not among the kept good bundles", grpc: "NOT_FOUND", http: 404 },
} as const satisfies Record<string, ErrorInfo>;

export type ErrorCode = keyof typeof ERRORS;

export class AegisError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message ?? ERRORS[code].message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AegisError";
    this.code = code;
    this.details = options?.details;
  }
}

export function isAegisError(value: unknown, code?: ErrorCode): value is AegisError {
  return value instanceof AegisError && (code === undefined || value.code === code);
}

/** The gRPC status a failure answers with: an AegisError's own, INTERNAL for anything else. */
export function grpcStatusOf(err: unknown): GrpcStatusName {
  return err instanceof AegisError ? ERRORS[err.code].grpc : "INTERNAL";
}

/** The HTTP status a failure answers with: an AegisError's own, 500 for anything else. */
export function httpStatusOf(err: unknown): number {
  return err instanceof AegisError ? ERRORS[err.code].http : 500;
}
