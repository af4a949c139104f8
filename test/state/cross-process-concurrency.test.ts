// Atomicity across processes: node:sqlite is synchronous, so only separate processes sharing the
// file (or separate Redis clients) can race. Each test starts two workers, waits until both have
// opened the store, then releases them together.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStateStore } from "../../src/state/open-state-store.ts";
import type { BudgetCharge } from "../../src/state/budget-store.ts";
import { backends } from "./backends.ts";
import { startWorker } from "./worker-process.ts";

const NOW = Date.parse("2030-01-15T10:00:00.000Z");

/** Each worker's printed results, in worker order. */
async function runTogether(url: string, jobs: readonly object[]): Promise<unknown[]> {
  const workers = jobs.map((job) => startWorker("state-worker.ts", [url, JSON.stringify(job)]));
  try {
    for (const worker of workers) expect(await worker.nextLine()).toBe("ready");
    for (const worker of workers) worker.send("go");
    const outputs = await Promise.all(workers.map((worker) => worker.nextLine()));
    return outputs.map((line) => JSON.parse(line) as unknown);
  } finally {
    await Promise.all(workers.map((worker) => worker.kill("SIGKILL")));
  }
}

describe.each(backends.map((make) => make()))("$name StateStore across two processes", (backend) => {
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());

  it("lets exactly one of 100 concurrent redemptions of a token through, for each of 100 tokens", async () => {
    const url = await backend.freshUrl();
    const digest = "d".repeat(64);
    const tokenHashes = Array.from({ length: 100 }, (_, index) => index.toString(16).padStart(64, "0"));
    const store = await openStateStore(url);
    for (const tokenHash of tokenHashes) {
      await store.tokens.storeToken({ tokenHash, digest, approvalId: "apr-1", expiresAt: NOW + 300_000 });
    }
    await store.close();

    const job = { kind: "redeem", tokenHashes, digest, count: 50, now: NOW };
    const [first, second] = (await runTogether(url, [job, job])) as string[][][];

    for (const [index, tokenHash] of tokenHashes.entries()) {
      const results = [...first![index]!, ...second![index]!];
      expect(results, tokenHash).toHaveLength(100);
      expect(results.filter((result) => result === "redeemed"), tokenHash).toHaveLength(1);
      expect(results.filter((result) => result === "used"), tokenHash).toHaveLength(99);
    }
  });

  it("grants exactly one of 100 concurrent claims of an attestation id, for each of 100 ids", async () => {
    const url = await backend.freshUrl();
    // Opened once first, so both workers find the file made (the race under test is the claim).
    await (await openStateStore(url)).close();
    const ids = Array.from({ length: 100 }, (_, index) => `jti-${index}`);
    const job = { kind: "claim", ids, expiresAt: NOW + 60_000, count: 50, now: NOW };
    const [first, second] = (await runTogether(url, [job, job])) as boolean[][][];
    for (const [index, id] of ids.entries()) {
      const results = [...first![index]!, ...second![index]!];
      expect(results, id).toHaveLength(100);
      expect(results.filter((granted) => granted), id).toHaveLength(1);
    }
  });

  it("grants exactly four of ten concurrent 5000 reservations against a 20000 limit, for each of 300 budgets", async () => {
    const url = await backend.freshUrl();
    const charges: BudgetCharge[] = Array.from({ length: 300 }, (_, index) => ({
      key: { tenant: "acme", agent: "finance-agent", name: `spend-${index}` },
      windowSeconds: 86_400,
      cost: 5_000,
      limit: 20_000,
    }));
    const job = { kind: "reserve", charges, count: 5, now: NOW };
    const [first, second] = (await runTogether(url, [job, job])) as boolean[][][];

    for (const [index, charge] of charges.entries()) {
      const results = [...first![index]!, ...second![index]!];
      expect(results, charge.key.name).toHaveLength(10);
      expect(results.filter((ok) => ok), charge.key.name).toHaveLength(4);
    }
    const store = await openStateStore(url);
    try {
      expect(await store.budgets.readBudgets(charges, NOW)).toEqual(charges.map(() => 20_000));
    } finally {
      await store.close();
    }
  });

  it("takes exactly 7 uses of a 7-use standing approval under 100 concurrent calls, for each of 50 standing approvals", async () => {
    const url = await backend.freshUrl();
    const store = await openStateStore(url);
    const ids: string[] = [];
    try {
      for (let i = 0; i < 50; i++) {
        const created = await store.standing.createStandingApproval({ tenant: "acme", agent: "finance-agent", tool: "stripe-payments", action: "create_payment", bounds: [], uses: 7, expiresAt: NOW + 3_600_000, createdBy: "alice", now: NOW });
        ids.push(created.id);
      }
    } finally {
      await store.close();
    }
    const job = { kind: "consume", ids, count: 50, now: NOW };
    const [first, second] = (await runTogether(url, [job, job])) as string[][][];
    for (const [index, id] of ids.entries()) {
      const results = [...first![index]!, ...second![index]!];
      expect(results, id).toHaveLength(100);
      expect(results.filter((r) => r === "consumed"), id).toHaveLength(7);
      expect(results.filter((r) => r === "exhausted"), id).toHaveLength(93);
    }
    const after = await openStateStore(url);
    try {
      expect((await after.standing.getStandingApproval(ids[0]!, NOW))?.uses_left).toBe(0);
    } finally {
      await after.close();
    }
  });
});
