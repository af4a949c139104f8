// Shared by the contract suites: every behaviour of every port runs against each backend
// (SQLite and a real redis-server), so the two cannot drift.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from "vitest";
import { type ErrorCode, isAegisError } from "../../../src/errors/registry.ts";
import type { NewApproval } from "../../../src/state/approval-store.ts";
import type { BudgetCharge, BudgetKey } from "../../../src/state/budget-store.ts";
import { openStateStore } from "../../../src/state/open-state-store.ts";
import type { StateStore } from "../../../src/state/state-store.ts";
import { backends } from "../backends.ts";

export const T0 = Date.parse("2030-01-15T10:00:00.000Z");
export const HOUR = 3_600_000;
export const DAY = 86_400;

export function approval(overrides: Partial<NewApproval> = {}): NewApproval {
  return {
    tenant: "acme",
    agent: "finance-agent",
    tool: "stripe-payments",
    action: "create_payment",
    digest: "a".repeat(64),
    reason: "approval_needed",
    rule_id: "acme/finance-agent/allowed_tools/stripe-payments/conditions/approval_threshold",
    policy_version: "rev-1",
    now: T0,
    expires_in_seconds: 3_600,
    ...overrides,
  };
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

export function expectAegisError(error: unknown, code: ErrorCode): void {
  expect(isAegisError(error), String(error)).toBe(true);
  expect((error as { code: string }).code).toBe(code);
}

export const spend: BudgetKey = { tenant: "acme", agent: "finance-agent", name: "daily-spend" };
export const charge = (cost: number, limit: number, overrides: Partial<BudgetCharge> = {}): BudgetCharge => ({
  key: spend,
  windowSeconds: DAY,
  cost,
  limit,
  ...overrides,
});

/**
 * Runs `body` once per backend; `store()` is a fresh, empty store for each test. Names read
 * "<backend> <port>", so a failure says which backend drifted.
 */
export function describeEachBackend(port: string, body: (store: () => StateStore) => void): void {
  describe.each(backends.map((make) => make()))(`$name ${port}`, (backend) => {
    let current: StateStore | undefined;
    beforeAll(() => backend.setup());
    afterAll(() => backend.teardown());
    beforeEach(async () => {
      current = await openStateStore(await backend.freshUrl());
    });
    afterEach(() => current?.close());
    body(() => {
      if (current === undefined) throw new Error("store used outside a test");
      return current;
    });
  });
}
