// The Host/:authority value as egress rules compare it: lower case, no port, no trailing dot,
// IPv6 literals without brackets ("[::1]:80" → "::1").

export function normalizeHost(raw: string): string {
  let host = withoutPort(raw.trim().toLowerCase());
  while (host.endsWith(".")) host = host.slice(0, -1);
  return host;
}

function withoutPort(host: string): string {
  if (host.startsWith("[")) {
    // Anything but "[literal]" or "[literal]:port" is not an address; kept whole, it matches nothing.
    const literal = /^\[([^\]]*)\](?::\d*)?$/.exec(host);
    return literal === null ? host : literal[1]!;
  }
  const colon = host.lastIndexOf(":");
  // More than one colon without brackets is a bare IPv6 literal, which carries no port.
  return colon !== -1 && host.indexOf(":") === colon && /^\d*$/.test(host.slice(colon + 1)) ? host.slice(0, colon) : host;
}
