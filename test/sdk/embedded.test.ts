import { rmSync } from "node:fs";
import { generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { isAegisError } from "../../src/errors/registry.ts";
import { AegisApprovalPendingError, AegisDeniedError, createEmbeddedAegis, signAttestation, withAegis, type AegisChecker, type CheckCall, type CheckResult } from "../../src/sdk/index.ts";
import { buildExampleBundle, DOCS, FINANCE, payment, PLANNER, readDocument } from "./example-bundle.ts";

let dir: string;
let bundle: string;
let finance: AegisChecker;

beforeAll(async () => {
  ({ dir, bundle } = buildExampleBundle());
  finance = await createEmbeddedAegis({ bundlePath: bundle, identity: FINANCE });
});
afterAll(async () => {
  await finance.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("embedded mode decides like the server, on the example bundle", () => {
  it.each<[string, CheckCall, { outcome: string; reason: string; ruleId: string }]>([
    ["a payment within the threshold is allowed", payment(120), { outcome: "allow", reason: "within_limit", ruleId: "acme/finance-agent/allowed_tools/stripe-payments/conditions/approval_threshold" }],
    ["a payment over the hard limit is denied", payment(60000), { outcome: "deny", reason: "blocked_over_hard_limit", ruleId: "acme/finance-agent/allowed_tools/stripe-payments/conditions/hard_limit" }],
    ["a payment over the threshold needs approval", payment(7000), { outcome: "approval_needed", reason: "approval_needed", ruleId: "acme/finance-agent/allowed_tools/stripe-payments/conditions/approval_threshold" }],
    ["an amount in a string is read as a decimal", { ...payment(0), params: { amount: "12.50" } }, { outcome: "allow", reason: "within_limit", ruleId: "acme/finance-agent/allowed_tools/stripe-payments/conditions/approval_threshold" }],
    ["a host off the allowlist is egress_denied", { ...payment(10), host: "api.evil.example" }, { outcome: "deny", reason: "egress_denied", ruleId: "acme/egress_allowlist" }],
    ["an action not listed is action_not_allowed", { ...payment(10), action: "refund" }, { outcome: "deny", reason: "action_not_allowed", ruleId: "acme/finance-agent/allowed_tools/stripe-payments/actions" }],
    ["a parent without an attestation is a call_chain_violation", { ...payment(10), parentAgent: "orchestrator" }, { outcome: "deny", reason: "call_chain_violation", ruleId: "acme/finance-agent/call_chain" }],
  ])("%s", async (_name, call, expected) => {
    const result = await finance.check(call);
    expect(result).toMatchObject({ ...expected, allowed: expected.outcome === "allow", shadowedOutcome: null });
    expect(result.decisionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.policyVersion).toMatch(/^[0-9a-f]{16}$/);
  });

  it("has no approval id for approval_needed: embedded mode records no approvals", async () => {
    const result = await finance.check(payment(7000));
    expect(result.approval).toBeUndefined();
  });

  it("sanitizes: redacts the named params at any depth, removes the named header, rewrites the named query parameter", async () => {
    const docs = await createEmbeddedAegis({ bundlePath: bundle, identity: DOCS });
    try {
      const result = await docs.check(readDocument);
      expect(result).toMatchObject({ outcome: "sanitize", allowed: true, reason: "sanitized", ruleId: "acme/docs-agent/allowed_tools/doc-store/sanitize", redactedParams: ["ssn"] });
      expect(result.sanitizedParams).toEqual({ id: "handbook", ssn: "[REDACTED]", owner: { ssn: "[REDACTED]" } });
      expect(result.sanitizedHeaders).toEqual({ accept: "application/json" });
      expect(result.sanitizedPath).toBe("/docs/handbook?token=%5BREDACTED%5D&lang=en");
    } finally {
      await docs.close();
    }
  });

  it("denies an agent another tool's call (tool_not_allowed)", async () => {
    const planner = await createEmbeddedAegis({ bundlePath: bundle, identity: PLANNER });
    try {
      expect(await planner.check(payment(10))).toMatchObject({ outcome: "deny", reason: "tool_not_allowed", ruleId: "acme/planner/allowed_tools" });
    } finally {
      await planner.close();
    }
  });

  it("answers invalid_request with the explanation for params past the depth limit", async () => {
    let deep: Record<string, unknown> = { amount: 1 };
    for (let i = 0; i < 40; i++) deep = { deeper: deep };
    const result = await finance.check({ ...payment(0), params: deep });
    expect(result).toMatchObject({ outcome: "deny", reason: "invalid_request", ruleId: "aegis/invalid_request" });
    expect(result.detail).toBe("parameters nest deeper than 32 levels");
  });

  it("verifies a call-chain attestation with the tenant's key", async () => {
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const chained = await createEmbeddedAegis({ bundlePath: bundle, identity: FINANCE, callChainKeys: { acme: publicKey } });
    try {
      const attestation = await signAttestation({ parent: "orchestrator", child: "finance-agent", tenant: "acme" }, { key: privateKey, alg: "ES256" });
      expect(await chained.check({ ...payment(10), parentAgent: "orchestrator", attestation })).toMatchObject({ outcome: "allow", reason: "within_limit" });
      const forged = await signAttestation({ parent: "intruder", child: "finance-agent", tenant: "acme" }, { key: privateKey, alg: "ES256" });
      expect(await chained.check({ ...payment(10), parentAgent: "intruder", attestation: forged })).toMatchObject({ outcome: "deny", reason: "call_chain_violation" });
    } finally {
      await chained.close();
    }
  });

  it("in shadow mode allows, carrying the real decision as shadowedOutcome", async () => {
    const shadow = await createEmbeddedAegis({ bundlePath: bundle, identity: FINANCE, shadow: true });
    try {
      expect(await shadow.check(payment(60000))).toMatchObject({ outcome: "allow", allowed: true, reason: "blocked_over_hard_limit", shadowedOutcome: "would_deny" });
      expect(await shadow.check(payment(7000))).toMatchObject({ outcome: "allow", shadowedOutcome: "would_need_approval" });
    } finally {
      await shadow.close();
    }
  });

  it("refuses an override token: there is no approvals state to redeem it against", async () => {
    await expect(finance.check({ ...payment(7000), overrideToken: "aegis_ot_x" })).rejects.toSatisfy((err) => isAegisError(err, "AEGIS_ERR_SDK_CHECK"));
  });

  it("refuses a bundle whose signature cannot be verified when a key is given", async () => {
    await expect(createEmbeddedAegis({ bundlePath: bundle, identity: FINANCE, verificationKey: "a-shared-hs256-secret-of-some-length" }))
      .rejects.toSatisfy((err) => isAegisError(err, "AEGIS_ERR_BUNDLE_UNSIGNED") || isAegisError(err, "AEGIS_ERR_BUNDLE_SIGNATURE"));
  });
});

describe("withAegis over embedded mode", () => {
  const pay = vi.fn(async (params: { amount: number }, _decision: CheckResult) => `paid ${params.amount}`);
  const guardedPay = () => withAegis(pay, { aegis: finance, tool: "stripe-payments", action: "create_payment", host: "api.stripe.com" });

  it("calls the tool when allowed and returns its result", async () => {
    pay.mockClear();
    expect(await guardedPay()({ amount: 120 })).toBe("paid 120");
    expect(pay).toHaveBeenCalledTimes(1);
    expect(pay.mock.calls[0]?.[1]).toMatchObject({ outcome: "allow", reason: "within_limit" });
  });

  it("throws AegisDeniedError with the reason and does not call the tool when denied", async () => {
    pay.mockClear();
    const err = await guardedPay()({ amount: 60000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AegisDeniedError);
    expect(err).toMatchObject({ code: "AEGIS_ERR_SDK_DENIED", reason: "blocked_over_hard_limit", ruleId: "acme/finance-agent/allowed_tools/stripe-payments/conditions/hard_limit" });
    expect(pay).not.toHaveBeenCalled();
  });

  it("throws AegisApprovalPendingError (no approval id in embedded mode) and does not call the tool", async () => {
    pay.mockClear();
    const err = await guardedPay()({ amount: 7000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AegisApprovalPendingError);
    expect(err).toMatchObject({ code: "AEGIS_ERR_SDK_APPROVAL_PENDING", approvalId: null });
    expect(pay).not.toHaveBeenCalled();
  });

  it("hands the tool the sanitized params when the policy sanitizes", async () => {
    const docs = await createEmbeddedAegis({ bundlePath: bundle, identity: DOCS });
    try {
      const read = vi.fn(async (params: Record<string, unknown>) => params);
      const guarded = withAegis(read, { aegis: docs, tool: "doc-store", action: "read_document", host: "wiki.docs.acme.internal" });
      expect(await guarded({ id: "handbook", ssn: "078-05-1120" })).toEqual({ id: "handbook", ssn: "[REDACTED]" });
    } finally {
      await docs.close();
    }
  });
});
