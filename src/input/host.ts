// The Host/:authority value as egress rules compare it: lower case, no port, no trailing dot,
// IPv6 literals without brackets ("[::1]:80" → "::1").

export function normalizeHost(raw: string): string {
  let host = raw.trim().toLowerCase();
  if (host.startsWith("[")) {
    const close = host.indexOf("]");
    // An unclosed bracket or junk after "]" other than ":port" is not an address; keep it whole so it matches nothing.
    if (close === -1) return host;
    const rest = host.slice(close + 1);
    if (rest !== "" && !/^:\d*$/.test(rest)) return host;
    return host.slice(1, close);
  }
  const colon = host.lastIndexOf(":");
  // More than one colon without brackets is a bare IPv6 literal, which carries no port.
  if (colon !== -1 && host.indexOf(":") === colon && /^\d*$/.test(host.slice(colon + 1))) host = host.slice(0, colon);
  while (host.endsWith(".")) host = host.slice(0, -1);
  return host;
}
