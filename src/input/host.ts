// The Host/:authority value as egress rules compare it: the host lower case, without trailing
// dot, IPv6 literals without brackets ("[::1]:80" → "::1"), and the port apart. A value that is
// no host and port at all ("[api.stripe.com]", "api.stripe.com:https", "host:99999") is refused:
// kept whole it would only match nothing, but read loosely it could match something.
import { isIPv6 } from "node:net";

export type Authority =
  | { readonly ok: true; readonly host: string; /** null when the authority names none */ readonly port: number | null }
  | { readonly ok: false; readonly reason: string };

const BRACKETED = /^\[([^\]]*)\](?::([^:]*))?$/;

export function parseAuthority(raw: string): Authority {
  const value = raw.trim().toLowerCase();
  if (value.startsWith("[")) {
    const literal = BRACKETED.exec(value);
    if (literal === null || !isIPv6(literal[1]!)) return refused(raw, "a bracketed host must be an IPv6 address");
    return withPort(literal[1]!, literal[2]);
  }
  const first = value.indexOf(":");
  if (first === -1) return { ok: true, host: withoutTrailingDots(value), port: null };
  // More than one colon without brackets can only be a bare IPv6 literal, which carries no port.
  if (value.indexOf(":", first + 1) !== -1) return isIPv6(value) ? { ok: true, host: value, port: null } : refused(raw, "not a host name or IPv6 address");
  return withPort(withoutTrailingDots(value.slice(0, first)), value.slice(first + 1));
}

function withPort(host: string, port: string | undefined): Authority {
  if (port === undefined) return { ok: true, host, port: null };
  const number = /^[0-9]{1,5}$/.test(port) ? Number(port) : 0;
  return number >= 1 && number <= 65535 ? { ok: true, host, port: number } : refused(`${host}:${port}`, "the port must be a number from 1 to 65535");
}

function withoutTrailingDots(host: string): string {
  let out = host;
  while (out.endsWith(".")) out = out.slice(0, -1);
  return out;
}

function refused(raw: string, why: string): Authority {
  // The value is the caller's own Host header; quoted so that odd characters stay visible.
  return { ok: false, reason: `host ${JSON.stringify(raw.slice(0, 100))}: ${why}` };
}
