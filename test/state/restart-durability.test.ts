// Every acknowledged write survives a SIGKILL of the writer (and, for Redis, of the server:
// the test server runs with appendonly yes + appendfsync always).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStateStore } from "../../src/state/open-state-store.ts";
import type { ApprovalRecord } from "../../src/state/approval-store.ts";
import type { BudgetReservation } from "../../src/state/budget-store.ts";
import { backends } from "./backends.ts";
import { startWorker } from "./worker-process.ts";

interface Written {
  pending: ApprovalRecord[];
  approved: ApprovalRecord;
  redeemed: string;
  budgets: BudgetReservation;
}

describe.each(backends.map((make) => make()))("$name StateStore after kill -9", (backend) => {
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());

  it("still holds every approval, token, budget charge and tombstone", async () => {
    const url = await backend.freshUrl();
    // Real time: Redis expires keys by its own clock, so TTLs must lie in the real future.
    const now = Date.now();
    const writer = startWorker("write-then-hang.ts", [url, String(now)]);
    const written = JSON.parse(await writer.nextLine()) as Written;
    await writer.kill("SIGKILL");
    expect(writer.child.signalCode).toBe("SIGKILL");
    await backend.restartServer();

    expect(written.redeemed).toBe("redeemed");
    expect(written.budgets).toEqual({ ok: true, remaining: [5_000, 97] });

    const store = await openStateStore(url);
    try {
      const readAt = now + 10;
      for (const record of written.pending) expect(await store.approvals.getApproval(record.id, readAt)).toEqual(record);
      expect(await store.approvals.getApproval(written.approved.id, readAt)).toEqual(written.approved);
      expect((await store.approvals.listApprovals({ status: "pending" }, readAt)).map((r) => r.queue_position)).toEqual([1, 2, 3]);

      expect(await store.tokens.redeemToken("b".repeat(64), "5".repeat(64), readAt)).toBe("used");
      expect(await store.tokens.redeemToken("a".repeat(64), "4".repeat(64), readAt)).toBe("redeemed");

      const key = { tenant: "acme", agent: "finance-agent", name: "daily-spend" };
      expect(
        await store.budgets.readBudgets(
          [
            { key, windowSeconds: 86_400 },
            { key: { ...key, name: "calls" }, windowSeconds: 3_600 },
          ],
          now + 6,
        ),
      ).toEqual([15_000, 3]);
      expect(await store.tombstones.isTombstoned("att-revoked", readAt)).toBe(true);
    } finally {
      await store.close();
    }
  });
});
