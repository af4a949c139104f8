// Identity lifetimes in a real `aegis serve`. A stolen identity JWT with a 100-year lifetime used
// to be accepted forever; identity.jwt.max_lifetime (default 24 h) now refuses it, so the call
// has no identity and is denied unknown_agent. Call-chain attestations could be replayed as
// often as wanted until they expired; with call_chain.single_use the second presentation of the
// same attestation is a call_chain_violation (attestation_replayed), across replicas sharing the
// state store. Headers are not trusted as identity here, so the JWT is the only way in.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signAttestation, type SigningKey } from "../../src/identity/call-chain.ts";
import { checkRequest } from "../support/check-request-builder.ts";
import { HEADER } from "../../src/input/header-names.ts";
import { startAegisProcess, type RunningAegisProcess } from "../support/aegis-server.ts";
import { connectCheckClient, type CheckAnswer, type CheckClient } from "../support/grpc-check-client.ts";
import { buildBundle, eventually, jsonLines, workDir, writeConfig } from "../runtime/runtime-harness.ts";

const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const YEAR = 365 * 86_400;

let identityKey: CryptoKey;
let chainKey: SigningKey;
let decisionLog: string;
const servers: RunningAegisProcess[] = [];
const clients: CheckClient[] = [];
let client: CheckClient;
let replica: CheckClient;

beforeAll(async () => {
  const work = workDir("identity-lifetimes");
  const bundle = buildBundle(work);
  const identity = await generateKeyPair("ES256", { extractable: true });
  identityKey = identity.privateKey;
  const publicKeyFile = join(work, "identity.pem");
  writeFileSync(publicKeyFile, await exportSPKI(identity.publicKey));
  const chain = await generateKeyPair("ES256", { extractable: true });
  chainKey = { key: chain.privateKey, alg: "ES256", kid: "acme-agents" };
  const jwks = join(work, "acme-attestation-keys.json");
  writeFileSync(jwks, JSON.stringify({ keys: [{ ...(await exportJWK(chain.publicKey)), kid: "acme-agents", alg: "ES256", use: "sig" }] }));
  const config = writeConfig(work, "aegis", {
    identity: { jwt: { public_key_file: publicKeyFile } },
    call_chain: { keys: { acme: jwks }, single_use: true },
  });
  decisionLog = join(work, "decisions.log");
  const state = `sqlite:${join(work, "state.db")}`;
  // Two replicas on one state file: a replay sent to the other replica is still a replay.
  for (const log of [decisionLog, join(work, "decisions-replica.log")]) {
    const server = await startAegisProcess({ args: ["--bundle", bundle, "--state", state, "--config", config, "--decision-log", log] });
    servers.push(server);
    clients.push(connectCheckClient(server.grpcPort));
  }
  [client, replica] = clients as [CheckClient, CheckClient];
});

afterAll(async () => {
  for (const c of clients) c.close();
  for (const server of servers) await server.stop();
});

function identityToken(claims: { iat?: number | null; exp: number }): Promise<string> {
  let jwt = new SignJWT({ sub: "finance-agent", tenant: "acme" }).setProtectedHeader({ alg: "ES256" }).setExpirationTime(claims.exp);
  if (claims.iat !== null) jwt = jwt.setIssuedAt(claims.iat ?? nowSeconds());
  return jwt.sign(identityKey);
}

/** The finance agent's payment, identified only by its bearer token. */
function payment(token: string, headers: Record<string, string> = {}) {
  return checkRequest({
    method: "POST",
    host: "api.stripe.com",
    path: "/v1/payment_intents",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
    body: JSON.stringify({ amount: 100, currency: "eur" }),
    contextExtensions: { tool: "stripe-payments", action: "create_payment" },
  });
}

function expectUnknownAgent(answer: CheckAnswer): void {
  expect(answer.kind).toBe("denied");
  expect(answer.body).toMatchObject({ error: "PolicyViolation", reason: "unknown_agent" });
}

describe("identity JWT lifetime (identity.jwt.max_lifetime, default 24h)", () => {
  it("accepts a token that lives one hour", async () => {
    const answer = await client.check(payment(await identityToken({ exp: nowSeconds() + 3600 })));
    expect(answer.kind, JSON.stringify(answer.body)).toBe("ok");
  });

  it("refuses a genuinely signed token with a 100-year lifetime: no identity, unknown_agent", async () => {
    expectUnknownAgent(await client.check(payment(await identityToken({ exp: nowSeconds() + 100 * YEAR }))));
  });

  it("refuses a 100-year token without iat (its exp − now counts)", async () => {
    expectUnknownAgent(await client.check(payment(await identityToken({ iat: null, exp: nowSeconds() + 100 * YEAR }))));
  });

  it("refuses a token that moves its iat into the future to look short-lived", async () => {
    const iat = nowSeconds() + 100 * YEAR;
    expectUnknownAgent(await client.check(payment(await identityToken({ iat, exp: iat + 3600 }))));
  });
});

describe("call-chain attestations with call_chain.single_use", () => {
  const delegated = async (target: CheckClient, attestation: string): Promise<CheckAnswer> =>
    target.check(payment(await identityToken({ exp: nowSeconds() + 3600 }), { [HEADER.parentAgent]: "orchestrator", [HEADER.attestation]: attestation }));

  it("lets an attestation through once; the replay, on the same or another replica, is call_chain_violation (attestation_replayed)", async () => {
    const attestation = await signAttestation({ parent: "orchestrator", child: "finance-agent", tenant: "acme" }, chainKey);
    const first = await delegated(client, attestation);
    expect(first.kind, JSON.stringify(first.body)).toBe("ok");

    for (const target of [client, replica]) {
      const replay = await delegated(target, attestation);
      expect(replay.kind).toBe("denied");
      expect(replay.body).toMatchObject({ error: "PolicyViolation", reason: "call_chain_violation" });
    }
    const replayId = (await delegated(client, attestation)).body.decision_id;
    const line = await eventually(
      () => jsonLines(readFileSync(decisionLog, "utf8")).find((l) => l.decision_id === replayId),
      (l) => l !== undefined,
      "the replay's decision log line",
    );
    expect((line?.input as { call_chain: unknown }).call_chain).toMatchObject({ verified: false, error: "attestation_replayed" });
  });

  it("still accepts a fresh attestation (another jti) for the same delegation", async () => {
    const fresh = await signAttestation({ parent: "orchestrator", child: "finance-agent", tenant: "acme" }, chainKey);
    expect((await delegated(replica, fresh)).kind).toBe("ok");
  });
});
