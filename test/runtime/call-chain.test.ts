// Call-chain validation in a real `aegis serve`: the finance agent accepts work only from the
// orchestrator (call_chain: allowed_parents [orchestrator], max_depth 2), proven by a JWS the
// parent signed with a key configured for tenant acme. A planner reaching the finance tool through
// the finance agent, and missing, forged, expired or revoked attestations, are all refused with
// call_chain_violation; the decision log says which check failed.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signAttestation, type SigningKey } from "../../src/identity/call-chain.ts";
import { HEADER } from "../../src/input/header-names.ts";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { connectCheckClient, type CheckAnswer, type CheckClient } from "../support/grpc-check-client.ts";
import { ADMIN_TOKEN, buildBundle, eventually, jsonLines, payment, serve, workDir, writeConfig } from "./runtime-harness.ts";

const CHAIN_RULE = "acme/finance-agent/call_chain";

let work: string;
let state: string;
let decisionLog: string;
let server: RunningAegisProcess;
let client: CheckClient;
let tenantKey: SigningKey;
let strangerKey: SigningKey;

beforeAll(async () => {
  work = workDir("call-chain");
  const bundle = buildBundle(work);
  const [tenant, stranger] = await Promise.all([generateKeyPair("ES256", { extractable: true }), generateKeyPair("ES256", { extractable: true })]);
  tenantKey = { key: tenant.privateKey, alg: "ES256", kid: "acme-agents" };
  // A forger who knows the kid but not the key.
  strangerKey = { key: stranger.privateKey, alg: "ES256", kid: "acme-agents" };
  const jwks = join(work, "acme-attestation-keys.json");
  writeFileSync(jwks, JSON.stringify({ keys: [{ ...(await exportJWK(tenant.publicKey)), kid: "acme-agents", alg: "ES256", use: "sig" }] }));
  state = `sqlite:${join(work, "state.db")}`;
  decisionLog = join(work, "decisions.log");
  server = await serve({ bundle, state, config: writeConfig(work, "aegis", { call_chain: { keys: { acme: jwks }, max_age_seconds: 300 } }), args: ["--decision-log", decisionLog] });
  client = connectCheckClient(server.grpcPort);
});

afterAll(async () => {
  client?.close();
  await server?.stop();
});

function delegated(parent: string, attestation: string | null): Promise<CheckAnswer> {
  return client.check(payment(100, { [HEADER.parentAgent]: parent, ...(attestation === null ? {} : { [HEADER.attestation]: attestation }) }));
}

function attest(parent: string, signing: SigningKey = tenantKey, options: { depth?: number; now?: Date; jti?: string; child?: string } = {}): Promise<string> {
  return signAttestation(
    { parent, child: options.child ?? "finance-agent", tenant: "acme", ...(options.depth === undefined ? {} : { depth: options.depth }) },
    signing,
    { ...(options.now === undefined ? {} : { now: options.now }), ...(options.jti === undefined ? {} : { jti: options.jti }) },
  );
}

/** The call_chain facts the decision log recorded for this answer. */
async function loggedChain(answer: CheckAnswer): Promise<Record<string, unknown>> {
  const id = answer.kind === "ok" ? answer.headers[HEADER.decisionId] : answer.body.decision_id;
  const line = await eventually(
    () => jsonLines(readFileSync(decisionLog, "utf8")).find((l) => l.decision_id === id),
    (l) => l !== undefined,
    `decision ${String(id)} in the decision log`,
  );
  return (line?.input as { call_chain: Record<string, unknown> }).call_chain;
}

async function expectViolation(answer: CheckAnswer, error: string | null): Promise<void> {
  expect(answer.kind).toBe("denied");
  expect(answer.body).toMatchObject({ error: "PolicyViolation", reason: "call_chain_violation", rule_id: CHAIN_RULE });
  expect(await loggedChain(answer)).toMatchObject({ error });
}

describe("call chain through a real aegis serve", () => {
  it("allows the orchestrator delegating to the finance agent with a valid attestation, and keeps the attestation from the tool", async () => {
    const answer = await delegated("orchestrator", await attest("orchestrator"));
    expect(answer.kind, JSON.stringify(answer.body)).toBe("ok");
    expect(answer.headersToRemove).toContain(HEADER.attestation);
    expect(await loggedChain(answer)).toEqual({ parent: "orchestrator", depth: 1, verified: true, error: null });
  });

  it("allows a chain two hops deep and refuses three (max_depth 2)", async () => {
    expect((await delegated("orchestrator", await attest("orchestrator", tenantKey, { depth: 2 }))).kind).toBe("ok");
    const tooDeep = await delegated("orchestrator", await attest("orchestrator", tenantKey, { depth: 3 }));
    await expectViolation(tooDeep, null);
    expect(await loggedChain(tooDeep)).toMatchObject({ depth: 3, verified: true });
  });

  it("refuses the planner calling the finance tool through the finance agent, even with a genuine attestation", async () => {
    await expectViolation(await delegated("planner", await attest("planner")), null);
  });

  it("refuses an attestation naming another parent than the header", async () => {
    await expectViolation(await delegated("orchestrator", await attest("planner")), "attestation_mismatch");
  });

  it.each([
    { case: "missing", make: async () => null, error: "attestation_missing" },
    { case: "not a JWS", make: async () => "not-a-jws", error: "attestation_invalid" },
    { case: "forged (signed with another key)", make: () => attest("orchestrator", strangerKey), error: "attestation_invalid" },
    { case: "expired", make: () => attest("orchestrator", tenantKey, { now: new Date(Date.now() - 10 * 60_000) }), error: "attestation_expired" },
    { case: "for another child", make: () => attest("orchestrator", tenantKey, { child: "docs-agent" }), error: "attestation_mismatch" },
  ])("refuses a $case attestation with call_chain_violation", async ({ make, error }) => {
    await expectViolation(await delegated("orchestrator", await make()), error);
  });

  it("refuses an attestation once its id is revoked through the admin API", async () => {
    const jti = `att-${Date.now()}`;
    const attestation = await attest("orchestrator", tenantKey, { jti });
    expect((await delegated("orchestrator", attestation)).kind).toBe("ok");
    const revoke = (headers: Record<string, string>) =>
      fetch(`${server.adminUrl}/v1/revocations`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ id: jti }) });
    expect((await revoke({})).status).toBe(401);
    expect((await revoke({ authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(201);
    await expectViolation(await delegated("orchestrator", attestation), "attestation_revoked");
  });
});
