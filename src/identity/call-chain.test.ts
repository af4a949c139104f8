import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import type { CallChainFacts } from "../input/types.ts";
import { ATTESTATION_TYP, type AttestationContext, signAttestation, verifyAttestation } from "./call-chain.ts";
import { type VerificationKey, verificationKeyFromText } from "./verification-key.ts";

const NOW = new Date("2026-03-01T12:00:00Z");
const nowSeconds = NOW.getTime() / 1000;
let signingKey: CryptoKey;
let verifyKey: CryptoKey;
let otherKey: CryptoKey;

beforeAll(async () => {
  ({ privateKey: signingKey, publicKey: verifyKey } = await generateKeyPair("ES256"));
  otherKey = (await generateKeyPair("ES256")).privateKey;
});

const claims = { parent: "planner", child: "finance-agent", tenant: "acme" };

function context(overrides: Partial<AttestationContext> = {}): AttestationContext {
  return {
    parent: "planner",
    child: "finance-agent",
    tenant: "acme",
    keys: (tenant): VerificationKey | null => (tenant === "acme" ? verifyKey : null),
    now: NOW,
    isRevoked: async (jti) => jti === "revoked-jti",
    maxAgeSeconds: 300,
    ...overrides,
  };
}

const sign = (extra: Partial<typeof claims & { depth: number }> = {}, options: { jti?: string; ttlSeconds?: number; now?: Date; key?: CryptoKey } = {}) =>
  signAttestation({ ...claims, ...extra }, { key: options.key ?? signingKey, alg: "ES256", kid: "acme-1" }, { now: options.now ?? NOW, ...options });

const failed = (error: string): CallChainFacts => ({ parent: "planner", depth: 1, verified: false, error });

interface Case {
  name: string;
  token: () => Promise<string | null> | string | null;
  context?: Partial<AttestationContext>;
  expected: CallChainFacts;
}

const cases: Case[] = [
  { name: "no parent named: no chain", token: () => null, context: { parent: null }, expected: { parent: null, depth: 0, verified: false, error: null } },
  { name: "no parent named, token ignored", token: () => sign(), context: { parent: null }, expected: { parent: null, depth: 0, verified: false, error: null } },
  { name: "valid attestation", token: () => sign(), expected: { parent: "planner", depth: 1, verified: true, error: null } },
  { name: "valid attestation, deeper chain", token: () => sign({ depth: 3 }), expected: { parent: "planner", depth: 3, verified: true, error: null } },
  { name: "parent named without attestation", token: () => null, expected: failed("attestation_missing") },
  { name: "empty attestation", token: () => "", expected: failed("attestation_missing") },
  { name: "no identity for the child", token: () => sign(), context: { child: null, tenant: null }, expected: failed("attestation_without_identity") },
  { name: "no key for the tenant", token: () => sign({ tenant: "other" }), context: { tenant: "other" }, expected: failed("attestation_key_unknown") },
  { name: "key lookup throws", token: () => sign(), context: { keys: () => { throw new Error("boom"); } }, expected: failed("attestation_key_unknown") },
  { name: "forged: signed by another key", token: () => sign({}, { key: otherKey }), expected: failed("attestation_invalid") },
  { name: "garbage", token: () => "a.b.c", expected: failed("attestation_invalid") },
  { name: "expired", token: () => sign({}, { now: new Date(NOW.getTime() - 120_000), ttlSeconds: 60 }), expected: failed("attestation_expired") },
  { name: "too old (iat beyond max age)", token: () => sign({}, { now: new Date(NOW.getTime() - 400_000), ttlSeconds: 500 }), expected: failed("attestation_expired") },
  { name: "lifetime longer than max age", token: () => sign({}, { ttlSeconds: 3600 }), expected: failed("attestation_too_long_lived") },
  { name: "for another parent", token: () => sign({ parent: "intruder" }), expected: failed("attestation_mismatch") },
  { name: "for another child", token: () => sign({ child: "other-agent" }), expected: failed("attestation_mismatch") },
  { name: "for another tenant (same key)", token: () => sign({ tenant: "globex" }), context: { keys: () => verifyKey }, expected: failed("attestation_mismatch") },
  { name: "revoked nonce", token: () => sign({}, { jti: "revoked-jti" }), expected: failed("attestation_revoked") },
  { name: "revocation store failing", token: () => sign(), context: { isRevoked: async () => { throw new Error("down"); } }, expected: failed("attestation_revocation_check_failed") },
  { name: "depth zero", token: () => sign({ depth: 0 }), expected: failed("attestation_invalid") },
  { name: "depth not an integer", token: () => sign({ depth: 1.5 }), expected: failed("attestation_invalid") },
  {
    name: "a plain JWT is not an attestation (wrong typ)",
    token: () =>
      new SignJWT({ ...claims, depth: 1 }).setProtectedHeader({ alg: "ES256" }).setIssuedAt(nowSeconds).setExpirationTime(nowSeconds + 60).setJti("j").sign(signingKey),
    expected: failed("attestation_invalid"),
  },
  {
    name: "no jti",
    token: () =>
      new SignJWT({ ...claims, depth: 1 }).setProtectedHeader({ alg: "ES256", typ: ATTESTATION_TYP }).setIssuedAt(nowSeconds).setExpirationTime(nowSeconds + 60).sign(signingKey),
    expected: failed("attestation_invalid"),
  },
];

describe("verifyAttestation", () => {
  it.each(cases)("$name", async ({ token, context: overrides, expected }) => {
    expect(await verifyAttestation(await token(), context(overrides))).toEqual(expected);
  });

  it("verifies against a tenant JWKS, picking the key by kid", async () => {
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(verifyKey)), kid: "acme-1", alg: "ES256" }] });
    const keys = () => verificationKeyFromText(jwks, "acme.jwks");
    expect(await verifyAttestation(await sign(), context({ keys }))).toEqual({ parent: "planner", depth: 1, verified: true, error: null });
  });

  it("with single use, accepts a jti once and calls the second use attestation_replayed", async () => {
    const claimed = new Map<string, number>();
    const claimJti = async (jti: string, expiresAt: number) => (claimed.has(jti) ? false : (claimed.set(jti, expiresAt), true));
    const token = await sign({}, { jti: "once" });
    expect(await verifyAttestation(token, context({ claimJti }))).toEqual({ parent: "planner", depth: 1, verified: true, error: null });
    expect(await verifyAttestation(token, context({ claimJti }))).toEqual(failed("attestation_replayed"));
    // The claim outlives the token: at least max age from now, never less than exp.
    expect(claimed.get("once")).toBe(NOW.getTime() + 300_000);
  });

  it("with single use, fails closed when the replay store fails", async () => {
    const claimJti = async () => {
      throw new Error("down");
    };
    expect(await verifyAttestation(await sign(), context({ claimJti }))).toEqual(failed("attestation_replay_check_failed"));
  });

  it("spends a jti only on an attestation that passes every other check", async () => {
    const seen: string[] = [];
    const claimJti = async (jti: string) => (seen.push(jti), true);
    await verifyAttestation(await sign({}, { key: otherKey, jti: "forged" }), context({ claimJti }));
    await verifyAttestation(await sign({ parent: "intruder" }, { jti: "mismatched" }), context({ claimJti }));
    await verifyAttestation(await sign({}, { jti: "revoked-jti" }), context({ claimJti }));
    await verifyAttestation(await sign({}, { jti: "good" }), context({ claimJti }));
    expect(seen).toEqual(["good"]);
  });

  it("checks revocation only for attestations that verify", async () => {
    const seen: string[] = [];
    const isRevoked = async (jti: string) => (seen.push(jti), false);
    await verifyAttestation(await sign({}, { key: otherKey, jti: "forged" }), context({ isRevoked }));
    await verifyAttestation(await sign({}, { jti: "good" }), context({ isRevoked }));
    expect(seen).toEqual(["good"]);
  });
});

describe("signAttestation", () => {
  it("sets typ, kid, iat, exp and a random jti by default", async () => {
    const token = await sign();
    const [header, payload] = token.split(".").slice(0, 2).map((part) => JSON.parse(Buffer.from(part, "base64url").toString()));
    expect(header).toEqual({ alg: "ES256", typ: ATTESTATION_TYP, kid: "acme-1" });
    expect(payload).toMatchObject({ ...claims, depth: 1, iat: nowSeconds, exp: nowSeconds + 60 });
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(Buffer.from((await sign()).split(".")[1]!, "base64url").toString()).jti).not.toBe(payload.jti);
  });
});
