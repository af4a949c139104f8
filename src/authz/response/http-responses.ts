// The two CheckResponse shapes, fully populated as the loader would decode them, so a
// response can be compared with its own encode → decode round trip.
import type { CheckResponse, HeaderValueOption, HttpStatusCodeName, QueryParameter, Struct } from "../../grpc/ext-authz-types.ts";
import { HEADER } from "../../input/header-names.ts";
import { headerOption } from "./header-option.ts";

/** google.rpc.Code values Aegis answers with. */
export const RPC_CODE = { OK: 0, INVALID_ARGUMENT: 3, PERMISSION_DENIED: 7 } as const;

export interface OkParts {
  readonly headers: readonly HeaderValueOption[];
  readonly headersToRemove: readonly string[];
  readonly queryParametersToSet: readonly QueryParameter[];
  /** Query names, as written in the request target, that Envoy drops before forwarding. */
  readonly queryParametersToRemove?: readonly string[];
  readonly dynamicMetadata: Struct;
}

export function okResponse(parts: OkParts): CheckResponse {
  return {
    status: { code: RPC_CODE.OK, message: "", details: [] },
    http_response: "ok_response",
    ok_response: {
      headers: parts.headers,
      dynamic_metadata: null,
      headers_to_remove: parts.headersToRemove,
      response_headers_to_add: [],
      query_parameters_to_set: parts.queryParametersToSet,
      query_parameters_to_remove: parts.queryParametersToRemove ?? [],
    },
    dynamic_metadata: parts.dynamicMetadata,
  };
}

export interface DeniedParts {
  /** OK only for MCP answers that carry the refusal in a JSON-RPC body (SPEC §7). */
  readonly httpStatus: Extract<HttpStatusCodeName, "OK" | "BadRequest" | "Forbidden">;
  readonly rpcCode: (typeof RPC_CODE)[keyof typeof RPC_CODE];
  readonly message: string;
  readonly decisionId: string;
  /** Serialized as the JSON body. */
  readonly body: Readonly<Record<string, unknown>>;
  readonly dynamicMetadata: Struct | null;
}

export function deniedResponse(parts: DeniedParts): CheckResponse {
  return {
    status: { code: parts.rpcCode, message: parts.message, details: [] },
    http_response: "denied_response",
    denied_response: {
      status: { code: parts.httpStatus },
      headers: [headerOption(HEADER.contentType, "application/json"), headerOption(HEADER.decisionId, parts.decisionId)],
      body: JSON.stringify(parts.body),
    },
    dynamic_metadata: parts.dynamicMetadata,
  };
}
