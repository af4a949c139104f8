// The ext_authz v3 messages exactly as @grpc/proto-loader hands them over with the options in
// load-protos.ts (keepCase, longs and enums as strings, defaults filled, oneof discriminators).
// Unset message fields are null; an unset oneof member is absent and so is its discriminator.
// load-protos.test.ts round-trips a fully populated message to keep these names honest.

/** google.protobuf.Value: only the member named by `kind` is present (protobufjs names them in camelCase). */
export type StructValue =
  | { readonly kind: "nullValue"; readonly nullValue: "NULL_VALUE" }
  | { readonly kind: "numberValue"; readonly numberValue: number }
  | { readonly kind: "stringValue"; readonly stringValue: string }
  | { readonly kind: "boolValue"; readonly boolValue: boolean }
  | { readonly kind: "structValue"; readonly structValue: Struct }
  | { readonly kind: "listValue"; readonly listValue: { readonly values: readonly StructValue[] } };

export interface Struct {
  readonly fields: Readonly<Record<string, StructValue>>;
}

export interface Any {
  readonly type_url: string;
  readonly value: Buffer;
}

export interface Timestamp {
  readonly seconds: string;
  readonly nanos: number;
}

export interface Metadata {
  readonly filter_metadata: Readonly<Record<string, Struct>>;
  readonly typed_filter_metadata: Readonly<Record<string, Any>>;
}

export interface SocketAddress {
  readonly protocol: "TCP" | "UDP";
  readonly address: string;
  readonly port_specifier?: "port_value" | "named_port";
  readonly port_value?: number;
  readonly named_port?: string;
  readonly resolver_name: string;
  readonly ipv4_compat: boolean;
}

export interface Pipe {
  readonly path: string;
  readonly mode: number;
}

export interface EnvoyInternalAddress {
  readonly address_name_specifier?: "server_listener_name";
  readonly server_listener_name?: string;
  readonly endpoint_id: string;
}

export interface Address {
  readonly address?: "socket_address" | "pipe" | "envoy_internal_address";
  readonly socket_address?: SocketAddress;
  readonly pipe?: Pipe;
  readonly envoy_internal_address?: EnvoyInternalAddress;
}

export interface Peer {
  readonly address: Address | null;
  readonly service: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly principal: string;
  readonly certificate: string;
}

export interface HeaderValue {
  readonly key: string;
  readonly value: string;
  readonly raw_value: Buffer;
}

export interface HeaderMap {
  readonly headers: readonly HeaderValue[];
}

export interface HttpRequest {
  readonly id: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly header_map: HeaderMap | null;
  readonly path: string;
  readonly host: string;
  readonly scheme: string;
  readonly query: string;
  readonly fragment: string;
  readonly size: string;
  readonly protocol: string;
  readonly body: string;
  readonly raw_body: Buffer;
}

export interface AttributeRequest {
  readonly time: Timestamp | null;
  readonly http: HttpRequest | null;
}

export interface TlsSession {
  readonly sni: string;
}

export interface AttributeContext {
  readonly source: Peer | null;
  readonly destination: Peer | null;
  readonly request: AttributeRequest | null;
  readonly context_extensions: Readonly<Record<string, string>>;
  readonly metadata_context: Metadata | null;
  readonly route_metadata_context: Metadata | null;
  readonly tls_session: TlsSession | null;
}

export interface CheckRequest {
  readonly attributes: AttributeContext | null;
}

export type HeaderAppendAction =
  | "APPEND_IF_EXISTS_OR_ADD"
  | "ADD_IF_ABSENT"
  | "OVERWRITE_IF_EXISTS_OR_ADD"
  | "OVERWRITE_IF_EXISTS";

export interface HeaderValueOption {
  readonly header: HeaderValue | null;
  /** Deprecated by Envoy in favour of append_action; Aegis leaves it unset. */
  readonly append: { readonly value: boolean } | null;
  readonly append_action: HeaderAppendAction;
  readonly keep_empty_value: boolean;
}

export interface QueryParameter {
  readonly key: string;
  readonly value: string;
}

/** envoy.type.v3.StatusCode names; only the ones Aegis answers with are listed. */
export type HttpStatusCodeName = "Empty" | "OK" | "BadRequest" | "Forbidden";

export interface DeniedHttpResponse {
  readonly status: { readonly code: HttpStatusCodeName } | null;
  readonly headers: readonly HeaderValueOption[];
  readonly body: string;
}

export interface OkHttpResponse {
  readonly headers: readonly HeaderValueOption[];
  /** Deprecated by Envoy; setting it would override CheckResponse.dynamic_metadata. */
  readonly dynamic_metadata: Struct | null;
  readonly headers_to_remove: readonly string[];
  readonly response_headers_to_add: readonly HeaderValueOption[];
  readonly query_parameters_to_set: readonly QueryParameter[];
  readonly query_parameters_to_remove: readonly string[];
}

export interface RpcStatus {
  /** google.rpc.Code: 0 OK, 3 INVALID_ARGUMENT, 7 PERMISSION_DENIED. */
  readonly code: number;
  readonly message: string;
  readonly details: readonly Any[];
}

export type CheckResponse = {
  readonly status: RpcStatus | null;
  readonly dynamic_metadata: Struct | null;
} & (
  | { readonly http_response: "ok_response"; readonly ok_response: OkHttpResponse }
  | { readonly http_response: "denied_response"; readonly denied_response: DeniedHttpResponse }
);

export type ServingStatus = "UNKNOWN" | "SERVING" | "NOT_SERVING" | "SERVICE_UNKNOWN";

export interface HealthCheckRequest {
  readonly service: string;
}

export interface HealthCheckResponse {
  readonly status: ServingStatus;
}
