// The ext_proc v3 messages as @grpc/proto-loader hands them over with the options in
// grpc/load-protos.ts (keepCase, enums as strings, defaults filled, oneof discriminators).
// Only what Aegis reads or writes is typed; unset messages are null.
import type { HeaderMap, HeaderValueOption, Metadata, Struct } from "../grpc/ext-authz-types.ts";

export interface HttpHeaders {
  readonly headers: HeaderMap | null;
  readonly end_of_stream: boolean;
}

export interface HttpBody {
  readonly body: Buffer;
  readonly end_of_stream: boolean;
}

export type ProcessingRequest = {
  readonly metadata_context: Metadata | null;
  readonly observability_mode?: boolean;
} & (
  | { readonly request: "request_headers"; readonly request_headers: HttpHeaders }
  | { readonly request: "response_headers"; readonly response_headers: HttpHeaders }
  | { readonly request: "request_body"; readonly request_body: HttpBody }
  | { readonly request: "response_body"; readonly response_body: HttpBody }
  | { readonly request: "request_trailers"; readonly request_trailers: unknown }
  | { readonly request: "response_trailers"; readonly response_trailers: unknown }
  | { readonly request?: undefined }
);

export interface HeaderMutation {
  readonly set_headers: readonly HeaderValueOption[];
  readonly remove_headers: readonly string[];
}

export type BodyMutation = { readonly body: Buffer } | { readonly clear_body: true };

export interface CommonResponse {
  readonly status?: "CONTINUE" | "CONTINUE_AND_REPLACE";
  readonly header_mutation?: HeaderMutation;
  readonly body_mutation?: BodyMutation;
}

export type BodySendMode = "NONE" | "STREAMED" | "BUFFERED" | "BUFFERED_PARTIAL";
export type HeaderSendMode = "DEFAULT" | "SEND" | "SKIP";

export interface ProcessingMode {
  readonly request_header_mode?: HeaderSendMode;
  readonly response_header_mode?: HeaderSendMode;
  readonly request_body_mode?: BodySendMode;
  readonly response_body_mode?: BodySendMode;
}

export interface ImmediateResponse {
  readonly status: { readonly code: string };
  readonly headers?: HeaderMutation;
  readonly body: Buffer;
  readonly details: string;
}

export type ProcessingResponse = {
  readonly dynamic_metadata?: Struct;
  readonly mode_override?: ProcessingMode;
} & (
  | { readonly request_headers: { readonly response: CommonResponse } }
  | { readonly response_headers: { readonly response: CommonResponse } }
  | { readonly request_body: { readonly response: CommonResponse } }
  | { readonly response_body: { readonly response: CommonResponse } }
  | { readonly request_trailers: { readonly header_mutation?: HeaderMutation } }
  | { readonly response_trailers: { readonly header_mutation?: HeaderMutation } }
  | { readonly immediate_response: ImmediateResponse }
);
