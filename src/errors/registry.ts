// The one registry of Aegis error codes. Codes are stable: they appear in logs, metrics
// labels, CLI output and docs/errors.md, so never rename one; add new ones instead.

export const ERROR_CODES = {
  AEGIS_ERR_CONFIG_INVALID: "configuration failed validation",
  AEGIS_ERR_POLICY_INVALID: "policy files failed validation",
  AEGIS_ERR_POLICY_READ: "a policy file or directory could not be read",
  AEGIS_ERR_OPA_NOT_FOUND: "the OPA CLI was not found (run scripts/setup.sh or set AEGIS_OPA)",
  AEGIS_ERR_OPA_BUILD: "opa build failed",
  AEGIS_ERR_BUNDLE_READ: "the bundle could not be read or unpacked",
  AEGIS_ERR_BUNDLE_INVALID: "the bundle is missing a required file or has a bad manifest",
  AEGIS_ERR_BUNDLE_UNSIGNED: "the bundle carries no signature but one is required",
  AEGIS_ERR_BUNDLE_SIGNATURE: "the bundle signature or a file hash does not verify",
  AEGIS_ERR_BUNDLE_FETCH: "the bundle could not be fetched",
  AEGIS_ERR_BUNDLE_WRITE: "the bundle file could not be written",
  AEGIS_ERR_BUNDLE_TOO_LARGE: "the bundle exceeds a size or entry-count limit",
  AEGIS_ERR_BUNDLE_DATA_INVALID: "the bundle's data.json does not match its schema",
  AEGIS_ERR_WASM_LOAD: "the policy WASM module failed to load",
  AEGIS_ERR_ENTRYPOINT_MISSING: "the bundle lacks a required entrypoint",
  AEGIS_ERR_EVAL: "policy evaluation failed",
  AEGIS_ERR_DECISION_MALFORMED: "policy evaluation returned a result of the wrong shape",
  AEGIS_ERR_NO_BUNDLE: "no bundle is loaded",
  AEGIS_ERR_STATE: "the state store failed",
  AEGIS_ERR_APPROVAL_NOT_FOUND: "no such approval",
  AEGIS_ERR_APPROVAL_STATE: "the approval is not pending",
  AEGIS_ERR_DECISION_LOG: "the decision log could not accept or write a record",
  AEGIS_ERR_NOTIFY: "an approval notification could not be delivered",
  AEGIS_ERR_SLACK_REQUEST: "a Slack interaction request is unsigned, stale or malformed",
  AEGIS_ERR_USAGE: "the command line is wrong",
  AEGIS_ERR_LISTEN: "a server could not listen on its address",
  AEGIS_ERR_PROTO_LOAD: "the gRPC proto files could not be loaded",
  AEGIS_ERR_BENCH: "a benchmark could not run: a tool is missing or failed, or its output is unreadable",
  AEGIS_ERR_SDK_CHECK: "the SDK got no decision: the call is malformed, Aegis is unreachable, answered a gRPC error or an unreadable response",
  AEGIS_ERR_SDK_DENIED: "the policy denied the tool call (SDK)",
  AEGIS_ERR_SDK_APPROVAL_PENDING: "the tool call waits for a human approval (SDK)",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AegisError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message ?? ERROR_CODES[code], options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AegisError";
    this.code = code;
    this.details = options?.details;
  }
}

export function isAegisError(value: unknown, code?: ErrorCode): value is AegisError {
  return value instanceof AegisError && (code === undefined || value.code === code);
}
