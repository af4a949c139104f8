// The mTLS peer principal as an identity. A pattern such as Istio's
// "spiffe://{trust_domain}/ns/{tenant}/sa/{agent}" names, segment by segment, where tenant and
// agent sit in the SPIFFE ID path; "*" matches any one segment. Without {tenant} the tenant is
// "default". IDs are checked against the SPIFFE ID grammar first, so "..", empty segments,
// ports, queries or upper-case trust domains never match.
import { AegisError } from "../errors/registry.ts";

export const DEFAULT_SPIFFE_PATTERN = "spiffe://{trust_domain}/ns/{tenant}/sa/{agent}";

export interface SpiffeConfig {
  /** Accepted trust domains; empty or absent accepts any. */
  readonly trustDomains?: readonly string[];
  readonly pattern?: string;
}

export interface SpiffeIdentity {
  readonly tenant: string;
  readonly agent: string;
}

export type SpiffeMatcher = (principal: string) => SpiffeIdentity | null;

const PREFIX = "spiffe://";
const TRUST_DOMAIN = /^[a-z0-9._-]+$/;
const SEGMENT = /^[A-Za-z0-9._-]+$/;
const MAX_ID_BYTES = 2048;

export function parseSpiffeId(id: string): { readonly trustDomain: string; readonly segments: readonly string[] } | null {
  if (!id.startsWith(PREFIX) || id.length > MAX_ID_BYTES) return null;
  const rest = id.slice(PREFIX.length);
  const slash = rest.indexOf("/");
  const trustDomain = slash === -1 ? rest : rest.slice(0, slash);
  if (!TRUST_DOMAIN.test(trustDomain)) return null;
  if (slash === -1) return { trustDomain, segments: [] };
  const segments = rest.slice(slash + 1).split("/");
  for (const segment of segments) {
    if (!SEGMENT.test(segment) || segment === "." || segment === "..") return null;
  }
  return { trustDomain, segments };
}

type PatternPart = { readonly kind: "literal"; readonly value: string } | { readonly kind: "any" | "tenant" | "agent" };

export function createSpiffeMatcher(config: SpiffeConfig = {}): SpiffeMatcher {
  const pattern = config.pattern ?? DEFAULT_SPIFFE_PATTERN;
  const { trustDomain, parts } = compilePattern(pattern);
  const accepted = new Set((config.trustDomains ?? []).map((d) => d.toLowerCase()));
  return (principal) => {
    const id = parseSpiffeId(principal);
    if (id === null || id.segments.length !== parts.length) return null;
    if (trustDomain !== null && id.trustDomain !== trustDomain) return null;
    if (accepted.size > 0 && !accepted.has(id.trustDomain)) return null;
    let tenant = "default";
    let agent: string | null = null;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const segment = id.segments[i]!;
      if (part.kind === "literal" && part.value !== segment) return null;
      if (part.kind === "tenant") tenant = segment;
      if (part.kind === "agent") agent = segment;
    }
    return agent === null ? null : { tenant, agent };
  };
}

function compilePattern(pattern: string): { trustDomain: string | null; parts: PatternPart[] } {
  const invalid = (why: string) => new AegisError("AEGIS_ERR_CONFIG_INVALID", `SPIFFE pattern "${pattern}": ${why}`);
  if (!pattern.startsWith(PREFIX)) throw invalid(`must start with ${PREFIX}`);
  const rest = pattern.slice(PREFIX.length);
  const slash = rest.indexOf("/");
  if (slash === -1) throw invalid("has no path");
  const domain = rest.slice(0, slash);
  if (domain !== "{trust_domain}" && domain !== "*" && !TRUST_DOMAIN.test(domain)) throw invalid(`bad trust domain "${domain}"`);
  const parts = rest
    .slice(slash + 1)
    .split("/")
    .map((segment): PatternPart => {
      if (segment === "{tenant}") return { kind: "tenant" };
      if (segment === "{agent}") return { kind: "agent" };
      if (segment === "*") return { kind: "any" };
      if (!SEGMENT.test(segment) || segment === "." || segment === "..") throw invalid(`bad path segment "${segment}"`);
      return { kind: "literal", value: segment };
    });
  const count = (kind: PatternPart["kind"]) => parts.filter((p) => p.kind === kind).length;
  if (count("agent") !== 1) throw invalid("needs exactly one {agent} segment");
  if (count("tenant") > 1) throw invalid("has more than one {tenant} segment");
  return { trustDomain: domain === "{trust_domain}" || domain === "*" ? null : domain, parts };
}
