// Parameters made safe to log, to show an approver and to hand a sanitized tool. Names match
// case-insensitively (as Envoy matches header names), since `Token`, `TOKEN` and `token` all
// reach the upstream; and every key is kept as data, `__proto__` and `constructor` included,
// so nothing the upstream receives silently drops out of the record.
import { HEADER } from "../input/header-names.ts";
import { foldName } from "../input/param-ambiguity.ts";

export const REDACTED_VALUE = "[REDACTED]";

/**
 * Names whose values are credentials wherever they are sent: an override token is accepted only
 * as the x-aegis-override-token header, but one put in the query string or the body must not
 * land in a log or a preview either.
 */
export const CREDENTIAL_PARAM_NAMES: readonly string[] = [HEADER.overrideToken, "aegis/override_token"];

/** Parameters with every value a sanitize rule names (and every credential) replaced, at any depth. */
export function maskParams(params: Readonly<Record<string, unknown>>, names: Iterable<string>): Readonly<Record<string, unknown>> {
  const masked = new Set(CREDENTIAL_PARAM_NAMES.map(foldName));
  for (const name of names) masked.add(foldName(name));
  return maskValue(params, masked) as Record<string, unknown>;
}

/**
 * Whether a parameter name is masked by a (case-folded) set of names. Folded as the input stage
 * compares names (param-ambiguity.ts), not only lower-cased: "ſsn" (long s) is "ssn" to Go's
 * encoding/json, so it is "ssn" here too.
 */
function isMasked(name: string, masked: ReadonlySet<string>): boolean {
  return masked.has(foldName(name));
}

function maskValue(value: unknown, masked: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => maskValue(v, masked));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    const v = isMasked(k, masked) ? REDACTED_VALUE : maskValue((value as Record<string, unknown>)[k], masked);
    // Only "__proto__" must be defined rather than assigned (assigning sets the prototype and drops
    // the key); defineProperty for every key cost a check ~1% of its CPU.
    if (k === "__proto__") Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out;
}
