// Call-chain attestations. A parent agent that delegates to a child signs a short-lived JWS
// over {parent, child, tenant, depth, jti, iat, exp}; the child sends it in
// x-aegis-attestation next to x-aegis-parent-agent. The host verifies it here (opa-wasm has no
// JWT builtins) and hands Rego only the facts. Errors are stable snake_case strings, fit for
// logs and metric labels.
import { randomUUID } from "node:crypto";
import { type CryptoKey, type JWTPayload, jwtVerify, type KeyObject, SignJWT } from "jose";
import type { CallChainFacts } from "../input/types.ts";
import type { VerificationKey } from "./verification-key.ts";

export const ATTESTATION_TYP = "aegis-attestation+jwt";

export type AttestationError =
  | "attestation_missing"
  | "attestation_without_identity"
  | "attestation_key_unknown"
  | "attestation_invalid"
  | "attestation_expired"
  | "attestation_too_long_lived"
  | "attestation_mismatch"
  | "attestation_revoked"
  | "attestation_revocation_check_failed"
  | "attestation_replayed"
  | "attestation_replay_check_failed";

export interface AttestationContext {
  /** The x-aegis-parent-agent header; null when the call names no parent. */
  readonly parent: string | null;
  /** The calling agent, from the identity stage; null when unknown. */
  readonly child: string | null;
  readonly tenant: string | null;
  /** The tenant's attestation verification key(s); null when none is configured. */
  readonly keys: (tenant: string) => VerificationKey | null | Promise<VerificationKey | null>;
  readonly now: Date;
  readonly isRevoked: (jti: string) => Promise<boolean>;
  /** Upper bound on both the token's age and its whole lifetime (exp − iat). */
  readonly maxAgeSeconds: number;
  /**
   * Single use (call_chain.single_use): records the jti until expiresAt (epoch ms) and answers
   * true for its first use only, atomically across replicas. Absent, an attestation may be
   * presented again and again until it expires.
   */
  readonly claimJti?: (jti: string, expiresAt: number) => Promise<boolean>;
}

const NO_PARENT: CallChainFacts = Object.freeze({ parent: null, depth: 0, verified: false, error: null });

export async function verifyAttestation(token: string | null | undefined, context: AttestationContext): Promise<CallChainFacts> {
  const { parent, child, tenant } = context;
  if (parent === null) return NO_PARENT;
  // Until verified, the chain is at least the named direct parent.
  const failed = (error: AttestationError): CallChainFacts => ({ parent, depth: 1, verified: false, error });
  if (token === null || token === undefined || token === "") return failed("attestation_missing");
  if (child === null || tenant === null) return failed("attestation_without_identity");

  let key: VerificationKey | null;
  try {
    key = await context.keys(tenant);
  } catch {
    key = null;
  }
  if (key === null) return failed("attestation_key_unknown");

  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key, {
      typ: ATTESTATION_TYP,
      currentDate: context.now,
      maxTokenAge: context.maxAgeSeconds,
      requiredClaims: ["exp", "iat", "jti"],
    }));
  } catch (err) {
    return failed((err as { code?: unknown }).code === "ERR_JWT_EXPIRED" ? "attestation_expired" : "attestation_invalid");
  }

  if (payload.exp! - payload.iat! > context.maxAgeSeconds) return failed("attestation_too_long_lived");
  const depth = payload["depth"];
  if (typeof depth !== "number" || !Number.isInteger(depth) || depth < 1) return failed("attestation_invalid");
  if (payload["parent"] !== parent || payload["child"] !== child || payload["tenant"] !== tenant) return failed("attestation_mismatch");

  let revoked: boolean;
  try {
    revoked = await context.isRevoked(payload.jti!);
  } catch {
    return failed("attestation_revocation_check_failed");
  }
  if (revoked) return failed("attestation_revoked");

  // Last, so only an attestation that is good in every other way is spent. The entry outlives
  // the token (exp, or max age from now, whichever is later), so a replay can never find it gone.
  if (context.claimJti !== undefined) {
    const expiresAt = Math.max(payload.exp! * 1000, context.now.getTime() + context.maxAgeSeconds * 1000);
    let first: boolean;
    try {
      first = await context.claimJti(payload.jti!, expiresAt);
    } catch {
      return failed("attestation_replay_check_failed");
    }
    if (!first) return failed("attestation_replayed");
  }
  return { parent, depth, verified: true, error: null };
}

export interface AttestationClaims {
  readonly parent: string;
  readonly child: string;
  readonly tenant: string;
  /** The child's depth in the chain: 1 for a direct call from the root agent. Default 1. */
  readonly depth?: number;
}

export interface SigningKey {
  readonly key: CryptoKey | KeyObject | Uint8Array;
  readonly alg: string;
  readonly kid?: string;
}

export interface SignOptions {
  readonly now?: Date;
  /** Default 60 s; keep it at or below the verifier's max age. */
  readonly ttlSeconds?: number;
  /** The nonce; a random UUID by default. */
  readonly jti?: string;
}

export async function signAttestation(claims: AttestationClaims, signing: SigningKey, options: SignOptions = {}): Promise<string> {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return new SignJWT({ parent: claims.parent, child: claims.child, tenant: claims.tenant, depth: claims.depth ?? 1 })
    .setProtectedHeader({ alg: signing.alg, typ: ATTESTATION_TYP, ...(signing.kid !== undefined ? { kid: signing.kid } : {}) })
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.ttlSeconds ?? 60))
    .setJti(options.jti ?? randomUUID())
    .sign(signing.key);
}
