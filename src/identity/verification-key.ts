// Verification keys as configured: a JWKS document (file or URL) or a PEM public key or
// certificate. Read once at start; a bad key is a configuration error, never a runtime one.
import { createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { createLocalJWKSet, createRemoteJWKSet, type CryptoKey, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import { AegisError } from "../errors/registry.ts";

/** A single key (HMAC secret as bytes) or a JWKS resolver that picks one by kid/alg. */
export type VerificationKey = CryptoKey | KeyObject | Uint8Array | JWTVerifyGetKey;

/** A JWKS (JSON with "keys") or a PEM public key / certificate, told apart by content. */
export function verificationKeyFromText(text: string, origin: string): VerificationKey {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    let jwks: unknown;
    try {
      jwks = JSON.parse(trimmed);
    } catch (cause) {
      throw new AegisError("AEGIS_ERR_CONFIG_INVALID", `${origin} is not valid JSON`, { cause });
    }
    if (typeof jwks !== "object" || jwks === null || !Array.isArray((jwks as { keys?: unknown }).keys)) {
      throw new AegisError("AEGIS_ERR_CONFIG_INVALID", `${origin} is not a JWKS (no "keys" array)`);
    }
    try {
      return createLocalJWKSet(jwks as JSONWebKeySet);
    } catch (cause) {
      throw new AegisError("AEGIS_ERR_CONFIG_INVALID", `${origin} is not a usable JWKS`, { cause });
    }
  }
  try {
    return createPublicKey(trimmed);
  } catch (cause) {
    throw new AegisError("AEGIS_ERR_CONFIG_INVALID", `${origin} is neither a JWKS nor a PEM public key or certificate`, { cause });
  }
}

export function verificationKeyFromFile(path: string): VerificationKey {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new AegisError("AEGIS_ERR_CONFIG_INVALID", `cannot read key file ${path}`, { cause });
  }
  return verificationKeyFromText(text, path);
}

/** A JWKS fetched over HTTP, cached, refetched on an unknown kid (at most every 30 s). */
export function verificationKeyFromUrl(url: string): VerificationKey {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new AegisError("AEGIS_ERR_CONFIG_INVALID", `JWKS URL ${url} is not a URL`, { cause });
  }
  return createRemoteJWKSet(parsed, { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000, timeoutDuration: 2_000 });
}
