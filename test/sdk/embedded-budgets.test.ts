// Budgets hold in embedded mode as they do on `aegis serve`: the SDK reads and charges them with
// the server's own budget code, in memory by default or in a state store it is given.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmbeddedAegis } from "../../src/sdk/index.ts";
import { buildExampleBundle, FINANCE, payment } from "./example-bundle.ts";

let dir: string;
let bundle: string;

beforeAll(() => {
  ({ dir, bundle } = buildExampleBundle());
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("embedded mode enforces budgets", () => {
  it("answers budget_exceeded once the spend passes the budget (daily-spend is 20000)", async () => {
    const finance = await createEmbeddedAegis({ bundlePath: bundle, identity: FINANCE });
    try {
      const remaining: number[] = [];
      for (let i = 0; i < 4; i++) {
        const result = await finance.check(payment(4999));
        expect(result).toMatchObject({ outcome: "allow", reason: "within_limit" });
        remaining.push(result.budgetRemaining?.["daily-spend"] ?? Number.NaN);
      }
      expect(remaining).toEqual([15001, 10002, 5003, 4]);
      expect(await finance.check(payment(4999))).toMatchObject({ outcome: "deny", allowed: false, reason: "budget_exceeded", ruleId: "acme/finance-agent/budgets/daily-spend" });
      // What still fits goes through; a refused call charged nothing.
      expect(await finance.check(payment(4))).toMatchObject({ outcome: "allow", budgetRemaining: { "daily-spend": 0 } });
    } finally {
      await finance.close();
    }
  });

  it("keeps the counters in the given state store, across clients", async () => {
    const state = `sqlite:${join(dir, "embedded-state.db")}`;
    const first = await createEmbeddedAegis({ bundlePath: bundle, identity: FINANCE, state });
    try {
      for (let i = 0; i < 4; i++) expect((await first.check(payment(5000))).outcome).toBe("allow");
    } finally {
      await first.close();
    }
    const second = await createEmbeddedAegis({ bundlePath: bundle, identity: FINANCE, state });
    try {
      expect(await second.check(payment(1))).toMatchObject({ outcome: "deny", reason: "budget_exceeded" });
    } finally {
      await second.close();
    }
  });

  it("gives each in-memory client its own counters", async () => {
    const [a, b] = await Promise.all([createEmbeddedAegis({ bundlePath: bundle, identity: FINANCE }), createEmbeddedAegis({ bundlePath: bundle, identity: FINANCE })]);
    try {
      for (let i = 0; i < 4; i++) expect((await a.check(payment(5000))).outcome).toBe("allow");
      expect((await a.check(payment(1))).reason).toBe("budget_exceeded");
      expect((await b.check(payment(5000))).outcome).toBe("allow");
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
