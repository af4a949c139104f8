// Embedded mode: evaluates a bundle in-process, for local development and tests. The call runs
// the server's own Check pipeline (src/authz/pipeline.ts), so decisions match `aegis serve` on
// the same bundle: budgets are read and charged by the server's own code, in a state store of
// the caller's choice (in memory by default, so they count for the life of the client). Nobody
// observes the check, no approval is recorded (approval_needed carries no approval id) and
// override tokens cannot be redeemed.
import { randomUUID } from "node:crypto";
import { NO_OBSERVER } from "../authz/check-event.ts";
import { NO_OVERRIDE_TOKENS } from "../authz/host-approvals.ts";
import { createCheckPipeline, NO_APPROVALS } from "../authz/pipeline.ts";
import { createPolicyContext, type PolicyContext } from "../authz/policy-context.ts";
import { loadBundleSource } from "../bundle/source.ts";
import { createEngine } from "../engine/create-engine.ts";
import { EngineHolder } from "../engine/engine-holder.ts";
import { AegisError } from "../errors/registry.ts";
import { verifyAttestation } from "../identity/call-chain.ts";
import type { VerificationKey } from "../identity/verification-key.ts";
import { loadConfig } from "../server/config.ts";
import { openStateStore } from "../state/open-state-store.ts";
import { buildCheckRequest } from "./build-check-request.ts";
import { parseCheckResponse } from "./parse-check-response.ts";
import type { AegisChecker, CheckCall, CheckResult } from "./types.ts";

export interface EmbeddedAegisOptions {
  /** Bundle file path (or http(s) URL), as built by `aegis build`; read once. */
  readonly bundlePath: string;
  /** The calling agent, taken as given (there is no server to verify a token). */
  readonly identity: { readonly tenant: string; readonly agent: string };
  /** PEM public key or HS256 secret: the bundle must carry a signature that verifies with it. */
  readonly verificationKey?: string;
  readonly keyId?: string;
  /** Call-chain attestation keys by tenant; without one, a named parent is a call_chain_violation. */
  readonly callChainKeys?: Readonly<Record<string, VerificationKey>>;
  /** Default 300, as call_chain.max_age_seconds. */
  readonly attestationMaxAgeSeconds?: number;
  /** Allow every call and report the real decision as shadowedOutcome, as `aegis serve --shadow`. */
  readonly shadow?: boolean;
  /**
   * Where budget counters live, as `aegis serve --state`: `sqlite:PATH` or `redis://HOST:PORT`.
   * Default `sqlite::memory:`: counters start at zero with each client and are private to it.
   */
  readonly state?: string;
  /** Clock for budget windows (epoch ms); default Date.now. */
  readonly now?: () => number;
}

export const EMBEDDED_DEFAULT_STATE = "sqlite::memory:";

export async function createEmbeddedAegis(options: EmbeddedAegisOptions): Promise<AegisChecker> {
  const loaded = await loadBundleSource(options.bundlePath, {
    ...(options.verificationKey === undefined ? {} : { verificationKey: options.verificationKey, requireSignature: true }),
    ...(options.keyId === undefined ? {} : { keyId: options.keyId }),
  });
  // A fresh load never answers "not modified": no etag was passed.
  if (!("contents" in loaded)) throw new AegisError("AEGIS_ERR_BUNDLE_READ", `bundle ${options.bundlePath} could not be read`);
  const { contents } = loaded;
  const revision = contents.manifest.revision;
  const engine = await createEngine({ revision, wasm: contents.wasm, dataJson: contents.dataJson, dataIndex: contents.dataIndex }, { workers: 0 });
  const store = await openStateStore(options.state ?? EMBEDDED_DEFAULT_STATE).catch(async (err: unknown) => {
    await engine.close();
    throw err;
  });
  const holder = new EngineHolder<PolicyContext>();
  holder.swap(engine, createPolicyContext(revision, contents));
  // The server's defaults, from the one config schema.
  const { limits, call_chain } = loadConfig({});
  const identity = { ...options.identity, source: "header" as const };
  const chainKeys = options.callChainKeys;
  const check = createCheckPipeline({
    decider: holder,
    identity: async () => identity,
    callChain: (facts) => verifyAttestation(facts.attestation, {
      parent: facts.parentAgent, child: identity.agent, tenant: identity.tenant,
      keys: (tenant) => (chainKeys !== undefined && Object.hasOwn(chainKeys, tenant) ? chainKeys[tenant] ?? null : null),
      now: new Date(), maxAgeSeconds: options.attestationMaxAgeSeconds ?? call_chain.max_age_seconds,
      isRevoked: async () => false,
    }),
    budgets: store.budgets,
    approvals: NO_APPROVALS,
    tokens: NO_OVERRIDE_TOKENS,
    standing: null,
    limits: { maxBodyBytes: limits.max_body_bytes, maxParams: limits.max_params, maxDepth: limits.max_depth },
    shadowGlobal: options.shadow === true,
    observer: NO_OBSERVER,
    now: options.now,
  });

  return {
    async check(call: CheckCall): Promise<CheckResult> {
      if (call.overrideToken !== undefined) {
        throw new AegisError("AEGIS_ERR_SDK_CHECK", "embedded mode records no approvals, so it cannot redeem an override token: use createAegisClient");
      }
      const { response, decision, effectiveOutcome } = await check(buildCheckRequest(call, options.identity, randomUUID()));
      return parseCheckResponse(response, call, { redactedParams: effectiveOutcome === "sanitize" ? decision.redactions.params : [] });
    },
    async close() {
      await Promise.all([holder.close(), store.close()]);
    },
  };
}
