// One egress allowlist entry, as the schema admits it: a host or "*.suffix", optionally ":port".
// The schema checks the shape; the port's range (1-65535) is checked in semantic validation.

export interface EgressEntry {
  /** Lower case, "*.suffix" kept as written. */
  readonly host: string;
  /** null: the scheme's default port only. */
  readonly port: number | null;
}

export function parseEgressEntry(entry: string): EgressEntry {
  const lower = entry.toLowerCase();
  const colon = lower.lastIndexOf(":");
  return colon === -1 ? { host: lower, port: null } : { host: lower.slice(0, colon), port: Number(lower.slice(colon + 1)) };
}

export function validPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}
