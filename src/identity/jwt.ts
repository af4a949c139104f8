// Identity from `authorization: Bearer <JWT>`. The token must verify against the configured
// key, carry an exp, and match issuer/audience when configured; then the agent is the agent
// claim (default "sub") and the tenant the tenant claim (default "tenant", and "default" when
// the token has none, like a policy file without `tenant:`). Anything else is no identity.
// A token may not live longer than maxLifetimeSeconds: neither exp − iat, nor (whether or not it
// has an iat, which could be set in the future) exp − now, may exceed it. A stolen 100-year token
// is thus no identity at all.
import { jwtVerify, type JWTPayload } from "jose";
import { AegisError } from "../errors/registry.ts";
import { type VerificationKey, verificationKeyFromFile, verificationKeyFromText, verificationKeyFromUrl } from "./verification-key.ts";

export interface JwtConfig {
  readonly jwksFile?: string;
  readonly jwksUrl?: string;
  readonly publicKeyPem?: string;
  readonly publicKeyFile?: string;
  readonly issuer?: string;
  readonly audience?: string;
  readonly tenantClaim?: string;
  readonly agentClaim?: string;
  /** Accepted JWS algorithms; absent accepts whatever the key type allows (never "none"). */
  readonly algorithms?: readonly string[];
  readonly clockToleranceSeconds?: number;
  /** Longest accepted lifetime (exp − iat, and exp − now); default 24 h. */
  readonly maxLifetimeSeconds?: number;
}

export const DEFAULT_JWT_MAX_LIFETIME_SECONDS = 24 * 3600;

export type JwtVerifier = (token: string) => Promise<{ tenant: string; agent: string } | null>;

export function createJwtVerifier(config: JwtConfig): JwtVerifier {
  const key = keyOf(config);
  const tenantClaim = config.tenantClaim ?? "tenant";
  const agentClaim = config.agentClaim ?? "sub";
  const maxLifetime = config.maxLifetimeSeconds ?? DEFAULT_JWT_MAX_LIFETIME_SECONDS;
  const tolerance = config.clockToleranceSeconds ?? 30;
  const options = {
    requiredClaims: ["exp"],
    clockTolerance: tolerance,
    ...(config.issuer !== undefined ? { issuer: config.issuer } : {}),
    ...(config.audience !== undefined ? { audience: config.audience } : {}),
    ...(config.algorithms !== undefined ? { algorithms: [...config.algorithms] } : {}),
  };
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, options));
    } catch {
      return null;
    }
    if (!withinLifetime(payload, maxLifetime, tolerance)) return null;
    const agent = claim(payload, agentClaim);
    const tenant = Object.hasOwn(payload, tenantClaim) ? claim(payload, tenantClaim) : "default";
    return agent === null || tenant === null ? null : { tenant, agent };
  };
}

/** exp is present and numeric here: jwtVerify required and checked it. */
function withinLifetime(payload: JWTPayload, maxLifetime: number, tolerance: number): boolean {
  const exp = payload.exp as number;
  const nowSeconds = Math.floor(Date.now() / 1000);
  if (exp - nowSeconds > maxLifetime + tolerance) return false;
  return typeof payload.iat !== "number" || exp - payload.iat <= maxLifetime;
}

function claim(payload: JWTPayload, name: string): string | null {
  const value = Object.hasOwn(payload, name) ? payload[name] : undefined;
  return typeof value === "string" && value !== "" ? value : null;
}

function keyOf(config: JwtConfig): VerificationKey {
  const sources = [config.jwksFile, config.jwksUrl, config.publicKeyPem, config.publicKeyFile].filter((s) => s !== undefined);
  if (sources.length !== 1) {
    throw new AegisError("AEGIS_ERR_CONFIG_INVALID", "JWT identity needs exactly one of jwks_file, jwks_url, public key PEM or public_key_file");
  }
  if (config.jwksUrl !== undefined) return verificationKeyFromUrl(config.jwksUrl);
  if (config.publicKeyPem !== undefined) return verificationKeyFromText(config.publicKeyPem, "the JWT public key");
  return verificationKeyFromFile((config.jwksFile ?? config.publicKeyFile)!);
}
