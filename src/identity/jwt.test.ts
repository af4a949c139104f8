import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAegisError } from "../errors/registry.ts";
import { createJwtVerifier, type JwtConfig } from "./jwt.ts";

let privateKey: CryptoKey;
let otherKey: CryptoKey;
let pem: string;
let dir: string;
let server: Server;
let jwksUrl: string;

beforeAll(async () => {
  const pair = await generateKeyPair("ES256", { extractable: true });
  privateKey = pair.privateKey;
  otherKey = (await generateKeyPair("ES256")).privateKey;
  pem = await exportSPKI(pair.publicKey);
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "ES256", use: "sig" }] });
  dir = mkdtempSync(join(tmpdir(), "aegis-jwt-"));
  writeFileSync(join(dir, "jwks.json"), jwks);
  writeFileSync(join(dir, "key.pem"), pem);
  server = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(jwks));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  jwksUrl = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}/jwks.json`;
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await new Promise((resolve) => server.close(resolve));
});

const now = () => Math.floor(Date.now() / 1000);

async function token(claims: JWTPayload, options: { key?: CryptoKey; exp?: number | null; iss?: string; aud?: string } = {}): Promise<string> {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: "k1" }).setIssuedAt();
  if (options.exp !== null) jwt = jwt.setExpirationTime(options.exp ?? now() + 300);
  if (options.iss !== undefined) jwt = jwt.setIssuer(options.iss);
  if (options.aud !== undefined) jwt = jwt.setAudience(options.aud);
  return jwt.sign(options.key ?? privateKey);
}

function unsigned(claims: JWTPayload): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({ alg: "none" })}.${part({ ...claims, exp: now() + 300 })}.`;
}

describe("createJwtVerifier", () => {
  it.each<[string, () => JwtConfig]>([
    ["a PEM public key", () => ({ publicKeyPem: pem })],
    ["a public key file", () => ({ publicKeyFile: join(dir, "key.pem") })],
    ["a JWKS file", () => ({ jwksFile: join(dir, "jwks.json") })],
    ["a JWKS URL", () => ({ jwksUrl })],
  ])("verifies a token against %s", async (_name, config) => {
    const verify = createJwtVerifier(config());
    expect(await verify(await token({ sub: "finance-agent", tenant: "acme" }))).toEqual({ tenant: "acme", agent: "finance-agent" });
  });

  interface Case {
    name: string;
    config?: Partial<JwtConfig>;
    token: () => Promise<string> | string;
    expected: { tenant: string; agent: string } | null;
  }
  const cases: Case[] = [
    { name: "no tenant claim: the default tenant", token: () => token({ sub: "bot" }), expected: { tenant: "default", agent: "bot" } },
    { name: "custom claim names", config: { tenantClaim: "org", agentClaim: "agent_id" }, token: () => token({ sub: "x", org: "acme", agent_id: "bot" }), expected: { tenant: "acme", agent: "bot" } },
    { name: "tenant claim not a string", token: () => token({ sub: "bot", tenant: 7 }), expected: null },
    { name: "tenant claim empty", token: () => token({ sub: "bot", tenant: "" }), expected: null },
    { name: "no agent claim", token: () => token({ tenant: "acme" }), expected: null },
    { name: "expired", token: () => token({ sub: "bot" }, { exp: now() - 3600 }), expected: null },
    { name: "no exp", token: () => token({ sub: "bot" }, { exp: null }), expected: null },
    { name: "issuer matches", config: { issuer: "https://idp" }, token: () => token({ sub: "bot" }, { iss: "https://idp" }), expected: { tenant: "default", agent: "bot" } },
    { name: "issuer differs", config: { issuer: "https://idp" }, token: () => token({ sub: "bot" }, { iss: "https://evil" }), expected: null },
    { name: "audience differs", config: { audience: "aegis" }, token: () => token({ sub: "bot" }, { aud: "other" }), expected: null },
    { name: "audience matches", config: { audience: "aegis" }, token: () => token({ sub: "bot" }, { aud: "aegis" }), expected: { tenant: "default", agent: "bot" } },
    { name: "signed by another key", token: () => token({ sub: "bot" }, { key: otherKey }), expected: null },
    { name: "alg none", token: () => unsigned({ sub: "bot" }), expected: null },
    {
      name: "HS256 keyed with the public key (alg confusion)",
      token: () => new SignJWT({ sub: "bot" }).setProtectedHeader({ alg: "HS256" }).setExpirationTime(now() + 60).sign(Buffer.from(pem)),
      expected: null,
    },
    { name: "algorithm not in the allowed list", config: { algorithms: ["RS256"] }, token: () => token({ sub: "bot" }), expected: null },
    { name: "garbage", token: () => "not.a.jwt", expected: null },
    { name: "a 100-year lifetime", token: () => token({ sub: "bot" }, { exp: now() + 100 * 365 * 86_400 }), expected: null },
    { name: "a lifetime of just under 24 h (the default limit)", token: () => token({ sub: "bot" }, { exp: now() + 24 * 3600 - 60 }), expected: { tenant: "default", agent: "bot" } },
    { name: "a lifetime of 25 h", token: () => token({ sub: "bot" }, { exp: now() + 25 * 3600 }), expected: null },
    {
      name: "no iat and an exp 10 years away",
      token: () => new SignJWT({ sub: "bot" }).setProtectedHeader({ alg: "ES256" }).setExpirationTime(now() + 10 * 365 * 86_400).sign(privateKey),
      expected: null,
    },
    {
      name: "no iat and an exp 1 h away",
      token: () => new SignJWT({ sub: "bot" }).setProtectedHeader({ alg: "ES256" }).setExpirationTime(now() + 3600).sign(privateKey),
      expected: { tenant: "default", agent: "bot" },
    },
    {
      name: "a short exp − iat with iat set 50 years ahead (exp − now is what it really lives)",
      token: () => new SignJWT({ sub: "bot" }).setProtectedHeader({ alg: "ES256" }).setIssuedAt(now() + 50 * 365 * 86_400).setExpirationTime(now() + 50 * 365 * 86_400 + 3600).sign(privateKey),
      expected: null,
    },
    {
      name: "an old long-lived token near its end: exp − iat still counts",
      token: () => new SignJWT({ sub: "bot" }).setProtectedHeader({ alg: "ES256" }).setIssuedAt(now() - 10 * 86_400).setExpirationTime(now() + 60).sign(privateKey),
      expected: null,
    },
    { name: "a configured max lifetime of 1 h refuses 2 h", config: { maxLifetimeSeconds: 3600 }, token: () => token({ sub: "bot" }, { exp: now() + 7200 }), expected: null },
  ];

  it.each(cases)("$name", async ({ config, token: make, expected }) => {
    const verify = createJwtVerifier({ publicKeyPem: pem, ...config });
    expect(await verify(await make())).toEqual(expected);
  });

  it.each<[string, JwtConfig]>([
    ["no key source", {}],
    ["two key sources", { publicKeyPem: "x", jwksUrl: "http://127.0.0.1/" }],
    ["a PEM that is not a key", { publicKeyPem: "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----" }],
    ["a missing file", { jwksFile: "does/not/exist.json" }],
    ["a JWKS without keys", { publicKeyPem: '{"nokeys":true}' }],
    ["a URL that is not one", { jwksUrl: "not a url" }],
  ])("rejects %s as a configuration error", (_name, config) => {
    let thrown: unknown;
    try {
      createJwtVerifier(config);
    } catch (err) {
      thrown = err;
    }
    expect(isAegisError(thrown, "AEGIS_ERR_CONFIG_INVALID")).toBe(true);
  });
});
