// What the later stages need from a CheckRequest besides the policy input: identity
// resolution, call-chain verification, the override token and the response mapping. Header
// values live here and never in the policy input.
import type { CheckRequest } from "../grpc/ext-authz-types.ts";
import { HEADER } from "./header-names.ts";
import { parseAuthority } from "./host.ts";
import { asBytes, asRecord, asString, bareRecord, stringEntries } from "./loose.ts";
import { splitTarget } from "./query-string.ts";
import { requestHeaders } from "./request-headers.ts";
import { requestPathProblem } from "./request-path.ts";

export interface RequestFacts {
  /** Envoy's request id (x-request-id), "" when absent. */
  readonly requestId: string;
  readonly method: string;
  /** As parseAuthority reads it: lower case, no port, brackets or trailing dot; "" when absent or refused. */
  readonly host: string;
  /** The port the authority names; null when it names none. */
  readonly port: number | null;
  /** attributes.request.http.scheme lower-cased ("http", "https"); "" when Envoy sent none. */
  readonly scheme: string;
  /** Without the query string. */
  readonly path: string;
  /** Why the host or path cannot be judged (a 400), or null. See host.ts and request-path.ts. */
  readonly targetProblem: string | null;
  /** Lower-cased names; a record without prototype. */
  readonly headers: Readonly<Record<string, string>>;
  /** Decoded names, every value kept in order; a record without prototype. */
  readonly query: Readonly<Record<string, readonly string[]>>;
  /** Distinct query names as written in the request target, undecoded. */
  readonly rawQueryKeys: readonly string[];
  /** attributes.source.principal: the mTLS peer identity, "" when none. */
  readonly peerPrincipal: string;
  readonly contextExtensions: Readonly<Record<string, string>>;
  readonly traceparent: string | null;
  readonly tracestate: string | null;
  readonly overrideToken: string | null;
  readonly parentAgent: string | null;
  readonly attestation: string | null;
  readonly truncatedBody: boolean;
}

export function readRequestFacts(request: CheckRequest): RequestFacts {
  const attributes = asRecord(asRecord(request)?.["attributes"]);
  const http = asRecord(asRecord(attributes?.["request"])?.["http"]);
  const headers = requestHeaders(http);
  const { path, query, rawQueryKeys } = splitTarget(asString(http?.["path"]));
  const authority = parseAuthority(asString(http?.["host"]));
  const header = (name: string): string | null => {
    const value = headers[name]?.trim();
    return value === undefined || value === "" ? null : value;
  };
  return {
    requestId: asString(http?.["id"]),
    method: asString(http?.["method"]),
    host: authority.ok ? authority.host : "",
    port: authority.ok ? authority.port : null,
    scheme: asString(http?.["scheme"]).toLowerCase(),
    path,
    targetProblem: authority.ok ? requestPathProblem(path) : authority.reason,
    headers,
    query,
    rawQueryKeys,
    peerPrincipal: asString(asRecord(attributes?.["source"])?.["principal"]),
    contextExtensions: contextExtensions(attributes?.["context_extensions"]),
    traceparent: header(HEADER.traceparent),
    tracestate: header(HEADER.tracestate),
    overrideToken: header(HEADER.overrideToken),
    parentAgent: header(HEADER.parentAgent),
    attestation: header(HEADER.attestation),
    truncatedBody: header(HEADER.partialBody)?.toLowerCase() === "true" || shorterThanDeclared(http, headers[HEADER.contentLength]),
  };
}

// A body shorter than its content-length is a partial body even when no x-envoy-auth-partial-body
// header says so (a proxy that cut it, or one configured without with_request_body): judging
// the part as the whole would miss what comes after the cut.
function shorterThanDeclared(http: Readonly<Record<string, unknown>> | null, contentLength: string | undefined): boolean {
  if (contentLength === undefined || !/^[0-9]+$/.test(contentLength.trim())) return false;
  const raw = asBytes(http?.["raw_body"]);
  const received = raw !== null && raw.length > 0 ? raw.length : Buffer.byteLength(asString(http?.["body"]));
  return Number(contentLength.trim()) > received;
}

function contextExtensions(value: unknown): Readonly<Record<string, string>> {
  const out = bareRecord<string>();
  for (const [key, item] of stringEntries(value)) out[key] = item;
  return out;
}
