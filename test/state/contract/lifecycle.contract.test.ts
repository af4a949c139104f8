import { expect, it } from "vitest";
import { describeEachBackend, expectAegisError, rejection } from "./contract-support.ts";

describeEachBackend("lifecycle", (store) => {
  it("answers health while open, fails it with AEGIS_ERR_STATE once closed, and closes twice without error", async () => {
    await expect(store().health()).resolves.toBeUndefined();
    await store().close();
    expectAegisError(await rejection(store().health()), "AEGIS_ERR_STATE");
    await expect(store().close()).resolves.toBeUndefined();
  });

  it("fails every port's calls with AEGIS_ERR_STATE once closed", async () => {
    await store().close();
    expectAegisError(await rejection(store().approvals.listApprovals({}, 0)), "AEGIS_ERR_STATE");
    expectAegisError(await rejection(store().tokens.redeemToken("h", "d", 0)), "AEGIS_ERR_STATE");
    expectAegisError(await rejection(store().budgets.readBudgets([{ key: { tenant: "t", agent: "a", name: "n" }, windowSeconds: 60 }], 0)), "AEGIS_ERR_STATE");
    expectAegisError(await rejection(store().tombstones.isTombstoned("id", 0)), "AEGIS_ERR_STATE");
    expectAegisError(await rejection(store().attestationIds.claimAttestationId("id", 1, 0)), "AEGIS_ERR_STATE");
    expectAegisError(await rejection(store().standing.listStandingApprovals({}, 0)), "AEGIS_ERR_STATE");
  });
});
