// Builds a CheckRequest as proto-loader decodes one, from the few fields a test cares about.
// For tests across modules (input, identity, authz handler); unset fields take proto defaults.
import type { CheckRequest, HeaderValue } from "../../src/grpc/ext-authz-types.ts";

export interface CheckRequestParts {
  readonly method?: string;
  readonly host?: string;
  /** attributes.request.http.scheme; "https" when not given. */
  readonly scheme?: string;
  /** Path with query string, as Envoy sends it. */
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as header_map (encode_raw_headers) instead of headers. */
  readonly rawHeaders?: readonly (readonly [string, string])[];
  readonly body?: string;
  readonly rawBody?: Uint8Array;
  readonly principal?: string;
  readonly contextExtensions?: Readonly<Record<string, string>>;
}

export function checkRequest(parts: CheckRequestParts = {}): CheckRequest {
  const headerMap: HeaderValue[] | null =
    parts.rawHeaders === undefined ? null : parts.rawHeaders.map(([key, value]) => ({ key, value: "", raw_value: Buffer.from(value) }));
  return {
    attributes: {
      source: { address: null, service: "", labels: {}, principal: parts.principal ?? "", certificate: "" },
      destination: null,
      request: {
        time: null,
        http: {
          id: "req-1",
          method: parts.method ?? "GET",
          headers: { ...parts.headers },
          header_map: headerMap === null ? null : { headers: headerMap },
          path: parts.path ?? "/",
          host: parts.host ?? "api.example.com",
          scheme: parts.scheme ?? "https",
          query: "",
          fragment: "",
          size: "-1",
          protocol: "HTTP/1.1",
          body: parts.body ?? "",
          raw_body: Buffer.from(parts.rawBody ?? new Uint8Array()),
        },
      },
      context_extensions: { ...parts.contextExtensions },
      metadata_context: null,
      route_metadata_context: null,
      tls_session: null,
    },
  };
}
