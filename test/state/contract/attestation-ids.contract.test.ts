import { expect, it } from "vitest";
import { describeEachBackend, T0, charge, rejection, expectAegisError } from "./contract-support.ts";

describeEachBackend("attestation ids (single use)", (store) => {
  it("grants the first claim of an id and refuses every later one until the claim expires", async () => {
    expect(await store().attestationIds.claimAttestationId("jti-1", T0 + 60_000, T0)).toBe(true);
    expect(await store().attestationIds.claimAttestationId("jti-1", T0 + 60_000, T0 + 1)).toBe(false);
    expect(await store().attestationIds.claimAttestationId("jti-1", T0 + 120_000, T0 + 59_999)).toBe(false);
    expect(await store().attestationIds.claimAttestationId("jti-2", T0 + 60_000, T0 + 1)).toBe(true);
    // Expired: the id is free again, and the new claim holds it anew.
    expect(await store().attestationIds.claimAttestationId("jti-1", T0 + 120_000, T0 + 60_000)).toBe(true);
    expect(await store().attestationIds.claimAttestationId("jti-1", T0 + 120_000, T0 + 60_001)).toBe(false);
  });

  it("keeps ids apart from tombstones and tokens of the same name", async () => {
    await store().tombstones.addTombstone("shared-id", T0 + 60_000);
    expect(await store().attestationIds.claimAttestationId("shared-id", T0 + 60_000, T0)).toBe(true);
    expect(await store().tombstones.isTombstoned("shared-id", T0)).toBe(true);
  });

  it("lets exactly one of many concurrent claims of one id through", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => store().attestationIds.claimAttestationId("jti-race", T0 + 60_000, T0)));
    expect(results.filter((first) => first)).toHaveLength(1);
  });

  it("rejects a non-finite time with AEGIS_ERR_STATE", async () => {
    expectAegisError(await rejection(store().attestationIds.claimAttestationId("jti-x", Number.NaN, T0)), "AEGIS_ERR_STATE");
    expectAegisError(await rejection(store().attestationIds.claimAttestationId("jti-x", T0 + 1, Number.POSITIVE_INFINITY)), "AEGIS_ERR_STATE");
  });

  it("decides by the caller's clock: a claim holds until the caller's now reaches its expiry, even when the server's clock has passed it", async () => {
    // Without this a replica running behind Redis' clock would accept a replay of an attestation it still deems unexpired.
    const serverNow = Date.now();
    expect(await store().attestationIds.claimAttestationId("jti-late", serverNow - 2_000, serverNow - 5_000)).toBe(true);
    expect(await store().attestationIds.claimAttestationId("jti-late", serverNow - 2_000, serverNow - 4_000)).toBe(false);
    expect(await store().attestationIds.claimAttestationId("jti-late", serverNow + 60_000, serverNow - 2_000)).toBe(true);
  });

  it("keeps the new expiry when an expired claim is taken over", async () => {
    expect(await store().attestationIds.claimAttestationId("jti-1", T0 + 1_000, T0)).toBe(true);
    expect(await store().attestationIds.claimAttestationId("jti-1", T0 + 10_000, T0 + 1_000)).toBe(true);
    expect(await store().attestationIds.claimAttestationId("jti-1", T0 + 20_000, T0 + 9_999)).toBe(false);
    expect(await store().attestationIds.claimAttestationId("jti-1", T0 + 20_000, T0 + 10_000)).toBe(true);
  });

  it("refuses a replay from a caller whose clock is behind after another caller's write swept past the claim (the sweep keeps a clock grace)", async () => {
    expect(await store().attestationIds.claimAttestationId("jti-1", T0 + 120_000, T0)).toBe(true);
    await store().budgets.reserveBudgets([charge(1, 10)], T0 + 120_000);
    expect(await store().attestationIds.claimAttestationId("jti-1", T0 + 120_000, T0 + 119_999)).toBe(false);
  });
});
