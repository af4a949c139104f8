// The identity resolver's options from the configuration, once: `aegis serve` (its Check and its
// admin self-read) and `aegis eval` must verify JWTs alike, or eval would accept a token the
// server refuses.
import type { IdentityConfig } from "../identity/resolve-identity.ts";
import { durationSeconds } from "../policy/duration.ts";
import type { Config } from "./config.ts";

export function identityConfigOf(config: Config, trustIdentityHeaders: boolean): IdentityConfig {
  const jwt = config.identity.jwt;
  return {
    jwt: jwt === undefined ? null : {
      ...(jwt.jwks_file === undefined ? {} : { jwksFile: jwt.jwks_file }),
      ...(jwt.jwks_url === undefined ? {} : { jwksUrl: jwt.jwks_url }),
      ...(jwt.public_key_file === undefined ? {} : { publicKeyFile: jwt.public_key_file }),
      ...(jwt.issuer === undefined ? {} : { issuer: jwt.issuer }),
      ...(jwt.audience === undefined ? {} : { audience: jwt.audience }),
      tenantClaim: jwt.tenant_claim,
      agentClaim: jwt.agent_claim,
      maxLifetimeSeconds: durationSeconds(jwt.max_lifetime),
    },
    spiffe: { trustDomains: config.identity.spiffe.trust_domains, pattern: config.identity.spiffe.pattern },
    trustIdentityHeaders,
  };
}
