// What a sanitize decision changes on the request before it goes upstream: named headers are
// removed, named query parameters are rewritten to [REDACTED].
//
// Envoy matches query_parameters_to_set against the query names as written (it does not decode
// them) and, with validate_mutations, insists the value is URL-encoded. So every spelling of a
// named parameter present in the request (`token`, `Token`, `tok%65n`) is set by its raw name,
// to the encoded "[REDACTED]" that the upstream decodes back.
import type { QueryParameter } from "../../grpc/ext-authz-types.ts";
import type { Redactions } from "../../decision/types.ts";
import { decodeQueryName } from "../../input/query-string.ts";

export const REDACTED = "[REDACTED]";
export const REDACTED_QUERY_VALUE = encodeURIComponent(REDACTED);

export interface RedactionMutations {
  readonly headersToRemove: readonly string[];
  readonly queryParametersToSet: readonly QueryParameter[];
}

export function redactionMutations(redactions: Redactions, rawQueryKeys: readonly string[]): RedactionMutations {
  const headersToRemove = [...new Set(redactions.headers.map((name) => name.toLowerCase()))];
  const named = new Set(redactions.query.map((name) => name.toLowerCase()));
  const queryParametersToSet = rawQueryKeys
    .filter((raw) => named.has(decodeQueryName(raw).toLowerCase()))
    .map((key) => ({ key, value: REDACTED_QUERY_VALUE }));
  return { headersToRemove, queryParametersToSet };
}
