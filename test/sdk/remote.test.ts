// The SDK's remote mode against a real `aegis serve` process on the example bundle.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { isAegisError } from "../../src/errors/registry.ts";
import {
  AegisApprovalPendingError, AegisDeniedError, createAegisClient, createEmbeddedAegis, withAegis, type AegisChecker, type CheckCall,
} from "../../src/sdk/index.ts";
import { startAegisProcess, type RunningAegisProcess } from "../support/aegis-server.ts";
import { freePort } from "../support/ports.ts";
import { buildExampleBundle, DOCS, FINANCE, payment, PLANNER, readDocument } from "./example-bundle.ts";

const ADMIN_TOKEN = "sdk-test-admin";
let dir: string;
let bundle: string;
let server: RunningAegisProcess;
let finance: AegisChecker;

beforeAll(async () => {
  ({ dir, bundle } = buildExampleBundle());
  server = await startAegisProcess({
    args: ["--bundle", bundle, "--state", `sqlite:${join(dir, "s.db")}`, "--trust-identity-headers", "--admin-token", ADMIN_TOKEN],
  });
  finance = createAegisClient({ grpcAddress: `127.0.0.1:${server.grpcPort}`, identity: FINANCE });
});
afterAll(async () => {
  await finance?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function remote(identity: Parameters<typeof createAegisClient>[0]["identity"]): AegisChecker {
  return createAegisClient({ grpcAddress: `127.0.0.1:${server.grpcPort}`, identity });
}

async function admin(path: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.adminUrl}${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" } });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe("remote mode against aegis serve", () => {
  it("allows a payment within the threshold, charging the daily budget", async () => {
    const result = await finance.check(payment(120));
    expect(result).toMatchObject({
      outcome: "allow", allowed: true, reason: "within_limit", shadowedOutcome: null,
      ruleId: "acme/finance-agent/allowed_tools/stripe-payments/conditions/approval_threshold", budgetRemaining: { "daily-spend": 19880 },
    });
    expect(result.decisionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.policyVersion).toMatch(/^[0-9a-f]{16}$/);
  });

  it("denies a payment over the hard limit with its reason and rule", async () => {
    expect(await finance.check(payment(60000))).toMatchObject({
      outcome: "deny", allowed: false, reason: "blocked_over_hard_limit", ruleId: "acme/finance-agent/allowed_tools/stripe-payments/conditions/hard_limit",
    });
  });

  it("answers approval_needed with the recorded approval; the override token lets exactly that call through once", async () => {
    const pending = await finance.check(payment(7000));
    expect(pending).toMatchObject({ outcome: "approval_needed", allowed: false, reason: "approval_needed" });
    const approvalId = pending.approval?.approvalId;
    expect(approvalId).toEqual(expect.any(String));
    expect(Date.parse(pending.approval?.expiresAt ?? "")).toBeGreaterThan(Date.now());

    const listed = await admin("/v1/approvals?status=pending");
    expect((listed["approvals"] as { id: string }[]).map((a) => a.id)).toContain(approvalId);
    const approved = await admin(`/v1/approvals/${approvalId}/approve`, { method: "POST", body: JSON.stringify({ approver: "alice" }) });
    const overrideToken = approved["override_token"] as string;

    // A refused token is named, not answered with a silent new approval.
    expect(await finance.check({ ...payment(7001), overrideToken })).toMatchObject({ outcome: "deny", reason: "override_token_mismatch", ruleId: "aegis/override_token" });
    expect(await finance.check({ ...payment(7000), overrideToken })).toMatchObject({ outcome: "allow", reason: "approved_override", ruleId: "aegis/override_token" });
    expect(await finance.check({ ...payment(7000), overrideToken })).toMatchObject({ outcome: "deny", reason: "override_token_used" });
  });

  it("sanitizes headers, query and body parameters the server names, and runs the tool on redacted params", async () => {
    const docs = remote(DOCS);
    try {
      const result = await docs.check(readDocument);
      expect(result).toMatchObject({ outcome: "sanitize", allowed: true, reason: "sanitized", ruleId: "acme/docs-agent/allowed_tools/doc-store/sanitize" });
      expect(result.sanitizedHeaders).toEqual({ accept: "application/json" });
      expect(result.sanitizedPath).toBe("/docs/handbook?token=%5BREDACTED%5D&lang=en");
      expect(result.redactedParams).toEqual(["ssn"]);

      const read = vi.fn(async (params: Record<string, unknown>) => params);
      const guarded = withAegis(read, { aegis: docs, tool: "doc-store", action: "read_document", host: "wiki.docs.acme.internal" });
      await expect(guarded({ id: "handbook", ssn: "078-05-1120" })).resolves.toEqual({ id: "handbook", ssn: "[REDACTED]" });
    } finally {
      await docs.close();
    }
  });

  it("does not fall back to headers for a bearer token the server cannot verify (no JWT configured)", async () => {
    const bearer = remote({ bearerToken: "eyJhbGciOiJub25lIn0.e30." });
    try {
      expect(await bearer.check(payment(10))).toMatchObject({ outcome: "deny", reason: "unknown_agent", ruleId: "aegis/unknown_agent" });
    } finally {
      await bearer.close();
    }
  });

  it("gives the same decisions as embedded mode on the same bundle", async () => {
    const calls: [typeof FINANCE | typeof PLANNER, CheckCall][] = [
      [FINANCE, payment(60000)], [FINANCE, payment(-1)], [FINANCE, { ...payment(5), host: "evil.example" }],
      [FINANCE, { ...payment(5), parentAgent: "orchestrator" }], [PLANNER, payment(10)],
      [PLANNER, { tool: "calendar", action: "list_events", host: "calendar.acme.internal", method: "GET", path: "/v1/calendars/team/events" }],
    ];
    for (const [identity, call] of calls) {
      const local = await createEmbeddedAegis({ bundlePath: bundle, identity });
      const client = remote(identity);
      try {
        const [a, b] = [await local.check(call), await client.check(call)];
        expect({ outcome: b.outcome, reason: b.reason, ruleId: b.ruleId, policyVersion: b.policyVersion }).toEqual({ outcome: a.outcome, reason: a.reason, ruleId: a.ruleId, policyVersion: a.policyVersion });
      } finally {
        await local.close();
        await client.close();
      }
    }
  });
});

describe("withAegis over remote mode", () => {
  const pay = vi.fn(async (params: { amount: number }) => `paid ${params.amount}`);
  const guardedPay = () => withAegis(pay, { aegis: finance, tool: "stripe-payments", action: "create_payment", host: "api.stripe.com" });

  it("calls the tool when allowed", async () => {
    pay.mockClear();
    expect(await guardedPay()({ amount: 50 })).toBe("paid 50");
    expect(pay).toHaveBeenCalledTimes(1);
  });

  it("throws AegisDeniedError with the deny reason", async () => {
    pay.mockClear();
    const err = await guardedPay()({ amount: 60000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AegisDeniedError);
    expect(err).toMatchObject({ reason: "blocked_over_hard_limit" });
    expect(pay).not.toHaveBeenCalled();
  });

  it("throws AegisApprovalPendingError carrying the id of the pending approval", async () => {
    pay.mockClear();
    const err = await guardedPay()({ amount: 8000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AegisApprovalPendingError);
    const approvalId = (err as AegisApprovalPendingError).approvalId;
    expect(approvalId).toEqual(expect.any(String));
    const record = await admin(`/v1/approvals/${approvalId}`);
    expect(record).toMatchObject({ status: "pending", agent: "finance-agent", tool: "stripe-payments", action: "create_payment", params_preview: { amount: 8000 } });
    expect(pay).not.toHaveBeenCalled();
  });
});

describe("failures", () => {
  it("rejects with AEGIS_ERR_SDK_CHECK (gRPC UNAVAILABLE) when nothing listens, and withAegis does not call the tool", async () => {
    const client = createAegisClient({ grpcAddress: `127.0.0.1:${await freePort()}`, identity: FINANCE, timeoutMs: 500 });
    const tool = vi.fn();
    try {
      const err = await withAegis(tool, { aegis: client, tool: "stripe-payments", action: "create_payment", host: "api.stripe.com" })({ amount: 1 }).catch((e: unknown) => e);
      expect(isAegisError(err, "AEGIS_ERR_SDK_CHECK")).toBe(true);
      expect((err as { details: { grpcCode: number } }).details.grpcCode).toBeOneOf([4, 14]);
      expect(tool).not.toHaveBeenCalled();
    } finally {
      await client.close();
    }
  });
});
