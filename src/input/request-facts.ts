// What the later stages need from a CheckRequest besides the policy input: identity
// resolution, call-chain verification, the override token and the response mapping. Header
// values live here and never in the policy input.
import type { CheckRequest } from "../grpc/ext-authz-types.ts";
import { HEADER } from "./header-names.ts";
import { normalizeHost } from "./host.ts";
import { asRecord, asString, bareRecord, stringEntries } from "./loose.ts";
import { splitTarget } from "./query-string.ts";
import { requestHeaders } from "./request-headers.ts";

export interface RequestFacts {
  /** Envoy's request id (x-request-id), "" when absent. */
  readonly requestId: string;
  readonly method: string;
  /** Normalized as in normalizeHost. */
  readonly host: string;
  /** Without the query string. */
  readonly path: string;
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
  const header = (name: string): string | null => {
    const value = headers[name]?.trim();
    return value === undefined || value === "" ? null : value;
  };
  return {
    requestId: asString(http?.["id"]),
    method: asString(http?.["method"]),
    host: normalizeHost(asString(http?.["host"])),
    path,
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
    truncatedBody: header(HEADER.partialBody)?.toLowerCase() === "true",
  };
}

function contextExtensions(value: unknown): Readonly<Record<string, string>> {
  const out = bareRecord<string>();
  for (const [key, item] of stringEntries(value)) out[key] = item;
  return out;
}
