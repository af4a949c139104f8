import type { Redactions } from "./types.ts";

/** "headers:x-api-key,query:token,params:card_number": the names a sanitize rule redacted, never the values. */
export function redactionMask(redactions: Redactions): string {
  return [
    ...redactions.headers.map((name) => `headers:${name}`),
    ...redactions.query.map((name) => `query:${name}`),
    ...redactions.params.map((name) => `params:${name}`),
  ].join(",");
}
