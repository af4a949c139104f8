import { exportSPKI, generateKeyPair, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import type { ResolvedIdentity } from "../input/from-check-request.ts";
import { createIdentityResolver, type IdentityConfig } from "./resolve-identity.ts";

let pem: string;
let validJwt: string;
let forgedJwt: string;

beforeAll(async () => {
  const pair = await generateKeyPair("ES256");
  pem = await exportSPKI(pair.publicKey);
  const sign = (key: Parameters<SignJWT["sign"]>[0]) =>
    new SignJWT({ sub: "jwt-agent", tenant: "jwt-tenant" }).setProtectedHeader({ alg: "ES256" }).setExpirationTime("5m").sign(key);
  validJwt = await sign(pair.privateKey);
  forgedJwt = await sign((await generateKeyPair("ES256")).privateKey);
});

const SPIFFE = "spiffe://cluster.local/ns/mesh-tenant/sa/mesh-agent";
const fromJwt: ResolvedIdentity = { tenant: "jwt-tenant", agent: "jwt-agent", source: "jwt" };
const fromSpiffe: ResolvedIdentity = { tenant: "mesh-tenant", agent: "mesh-agent", source: "spiffe" };
const fromHeaders: ResolvedIdentity = { tenant: "hdr-tenant", agent: "hdr-agent", source: "header" };
const identityHeaders = { "x-aegis-tenant": "hdr-tenant", "x-aegis-agent": "hdr-agent" };

interface Case {
  name: string;
  config: (pem: string) => IdentityConfig;
  headers: (jwt: { valid: string; forged: string }) => Record<string, string>;
  principal?: string;
  expected: ResolvedIdentity | null;
}

const withJwt = (trust = false) => (key: string): IdentityConfig => ({ jwt: { publicKeyPem: key }, trustIdentityHeaders: trust });

const cases: Case[] = [
  { name: "a verified JWT comes first", config: withJwt(true), headers: (t) => ({ authorization: `Bearer ${t.valid}`, ...identityHeaders }), principal: SPIFFE, expected: fromJwt },
  { name: "the bearer scheme is case-insensitive", config: withJwt(), headers: (t) => ({ authorization: `bearer ${t.valid}` }), expected: fromJwt },
  { name: "a forged JWT falls through to the SPIFFE ID", config: withJwt(), headers: (t) => ({ authorization: `Bearer ${t.forged}` }), principal: SPIFFE, expected: fromSpiffe },
  { name: "a JWT is ignored when no JWT key is configured", config: () => ({}), headers: (t) => ({ authorization: `Bearer ${t.valid}` }), expected: null },
  { name: "a non-bearer authorization is not a JWT", config: withJwt(), headers: (t) => ({ authorization: `Basic ${t.valid}` }), expected: null },
  { name: "SPIFFE before headers", config: withJwt(true), headers: () => identityHeaders, principal: SPIFFE, expected: fromSpiffe },
  { name: "a principal that does not fit the pattern falls through", config: withJwt(true), headers: () => identityHeaders, principal: "spiffe://cluster.local/other", expected: fromHeaders },
  { name: "trusted identity headers", config: withJwt(true), headers: () => identityHeaders, expected: fromHeaders },
  { name: "identity headers are ignored unless trusted", config: withJwt(false), headers: () => identityHeaders, expected: null },
  { name: "trusted agent header without tenant: default tenant", config: withJwt(true), headers: () => ({ "x-aegis-agent": "bot" }), expected: { tenant: "default", agent: "bot", source: "header" } },
  { name: "a repeated identity header is refused", config: withJwt(true), headers: () => ({ "x-aegis-agent": "a,b" }), expected: null },
  { name: "an empty agent header is no identity", config: withJwt(true), headers: () => ({ "x-aegis-agent": " ", "x-aegis-tenant": "t" }), expected: null },
  { name: "nothing at all", config: withJwt(true), headers: () => ({}), expected: null },
  {
    name: "trust domains restrict SPIFFE",
    config: () => ({ spiffe: { trustDomains: ["prod.acme"] } }),
    headers: () => ({}),
    principal: SPIFFE,
    expected: null,
  },
];

describe("createIdentityResolver", () => {
  it.each(cases)("$name", async ({ config, headers, principal, expected }) => {
    const resolve = createIdentityResolver(config(pem));
    expect(await resolve({ headers: headers({ valid: validJwt, forged: forgedJwt }), peerPrincipal: principal ?? "" })).toEqual(expected);
  });
});
