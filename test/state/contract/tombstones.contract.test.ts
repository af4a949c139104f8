import { expect, it } from "vitest";
import { describeEachBackend, T0, charge, rejection, expectAegisError } from "./contract-support.ts";

describeEachBackend("tombstones", (store) => {
  it("marks an id until its expiry", async () => {
    expect(await store().tombstones.isTombstoned("att-1", T0)).toBe(false);
    await store().tombstones.addTombstone("att-1", T0 + 60_000);
    expect(await store().tombstones.isTombstoned("att-1", T0 + 59_999)).toBe(true);
    expect(await store().tombstones.isTombstoned("att-1", T0 + 60_000)).toBe(false);
    expect(await store().tombstones.isTombstoned("att-2", T0)).toBe(false);
  });

  it("keeps the later expiry when an id is tombstoned twice", async () => {
    await store().tombstones.addTombstone("att-1", T0 + 120_000);
    await store().tombstones.addTombstone("att-1", T0 + 60_000);
    expect(await store().tombstones.isTombstoned("att-1", T0 + 90_000)).toBe(true);
    await store().tombstones.addTombstone("att-1", T0 + 180_000);
    expect(await store().tombstones.isTombstoned("att-1", T0 + 150_000)).toBe(true);
  });

  it("keeps a longer tombstone when a shorter one is added later", async () => {
    await store().tombstones.addTombstone("att-1", T0 + 120_000);
    await store().tombstones.addTombstone("att-1", T0 + 1_000);
    expect(await store().tombstones.isTombstoned("att-1", T0 + 119_999)).toBe(true);
    expect(await store().tombstones.isTombstoned("att-1", T0 + 120_000)).toBe(false);
  });

  it("decides by the caller's clock: an id stays revoked until the caller's now reaches its expiry, even when the server's clock has passed it", async () => {
    // The caller runs a few seconds behind the server (Redis' TTLs use the server's clock).
    const serverNow = Date.now();
    await store().tombstones.addTombstone("att-late", serverNow - 2_000);
    expect(await store().tombstones.isTombstoned("att-late", serverNow - 5_000)).toBe(true);
    expect(await store().tombstones.isTombstoned("att-late", serverNow - 2_000)).toBe(false);
  });

  it("rejects a non-finite expiry or now with AEGIS_ERR_STATE", async () => {
    expectAegisError(await rejection(store().tombstones.addTombstone("att-x", Number.NaN)), "AEGIS_ERR_STATE");
    expectAegisError(await rejection(store().tombstones.isTombstoned("att-x", Number.NaN)), "AEGIS_ERR_STATE");
  });

  it("is not forgotten by a later write from a caller whose clock is ahead (the sweep keeps a clock grace)", async () => {
    await store().tombstones.addTombstone("att-1", T0 + 120_000);
    // Writes that sweep expired state, at a time past the tombstone's expiry.
    await store().budgets.reserveBudgets([charge(1, 10)], T0);
    await store().budgets.reserveBudgets([charge(1, 10)], T0 + 120_000);
    expect(await store().tombstones.isTombstoned("att-1", T0 + 119_999)).toBe(true);
  });
});
