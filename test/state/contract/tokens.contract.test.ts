import { expect, it } from "vitest";
import { describeEachBackend, T0, rejection, expectAegisError } from "./contract-support.ts";

describeEachBackend("override tokens", (store) => {
  const token = { tokenHash: "f".repeat(64), digest: "d".repeat(64), approvalId: "apr-1", expiresAt: T0 + 300_000 };

  it("redeems once, then reads used", async () => {
    await store().tokens.storeToken(token);
    expect(await store().tokens.redeemToken(token.tokenHash, token.digest, T0)).toBe("redeemed");
    expect(await store().tokens.redeemToken(token.tokenHash, token.digest, T0 + 1)).toBe("used");
  });

  it("answers unknown for a hash it never stored", async () => {
    expect(await store().tokens.redeemToken("0".repeat(64), token.digest, T0)).toBe("unknown");
  });

  it("does not consume the token on a digest mismatch", async () => {
    await store().tokens.storeToken(token);
    expect(await store().tokens.redeemToken(token.tokenHash, "e".repeat(64), T0)).toBe("mismatch");
    expect(await store().tokens.redeemToken(token.tokenHash, token.digest, T0)).toBe("redeemed");
  });

  it("expires at expiresAt", async () => {
    await store().tokens.storeToken(token);
    expect(await store().tokens.redeemToken(token.tokenHash, token.digest, token.expiresAt)).toBe("expired");
    expect(await store().tokens.redeemToken(token.tokenHash, "e".repeat(64), token.expiresAt)).toBe("expired");
    expect(await store().tokens.redeemToken(token.tokenHash, token.digest, token.expiresAt - 1)).toBe("redeemed");
  });

  it("reports a used token as used even after it expired", async () => {
    await store().tokens.storeToken(token);
    await store().tokens.redeemToken(token.tokenHash, token.digest, T0);
    expect(await store().tokens.redeemToken(token.tokenHash, token.digest, token.expiresAt + 1)).toBe("used");
  });

  it("refuses to store the same hash twice, keeping the first token", async () => {
    await store().tokens.storeToken(token);
    expectAegisError(await rejection(store().tokens.storeToken({ ...token, digest: "e".repeat(64) })), "AEGIS_ERR_STATE");
    expect(await store().tokens.redeemToken(token.tokenHash, token.digest, T0)).toBe("redeemed");
  });

  it("lets exactly one of many concurrent redemptions through", async () => {
    await store().tokens.storeToken(token);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => store().tokens.redeemToken(token.tokenHash, token.digest, T0)),
    );
    expect(results.filter((result) => result === "redeemed")).toHaveLength(1);
    expect(results.filter((result) => result === "used")).toHaveLength(49);
  });

  it("checks in the order unknown, used, expired, mismatch", async () => {
    await store().tokens.storeToken(token);
    const wrong = "e".repeat(64);
    expect(await store().tokens.redeemToken(token.tokenHash, wrong, token.expiresAt - 1)).toBe("mismatch");
    expect(await store().tokens.redeemToken(token.tokenHash, wrong, token.expiresAt)).toBe("expired");
    await store().tokens.redeemToken(token.tokenHash, token.digest, T0);
    expect(await store().tokens.redeemToken(token.tokenHash, wrong, T0)).toBe("used");
    expect(await store().tokens.redeemToken(token.tokenHash, wrong, token.expiresAt + 1)).toBe("used");
  });

  it("keeps tokens apart by hash: redeeming one leaves another for the same call usable", async () => {
    const other = { ...token, tokenHash: "c".repeat(64), approvalId: "apr-2" };
    await store().tokens.storeToken(token);
    await store().tokens.storeToken(other);
    expect(await store().tokens.redeemToken(token.tokenHash, token.digest, T0)).toBe("redeemed");
    expect(await store().tokens.redeemToken(other.tokenHash, other.digest, T0)).toBe("redeemed");
  });

  it("still answers expired (not unknown) long after expiry, within the retention period", async () => {
    await store().tokens.storeToken(token);
    expect(await store().tokens.redeemToken(token.tokenHash, token.digest, token.expiresAt + 3_600_000)).toBe("expired");
  });

  it("rejects a non-finite expiresAt or now with AEGIS_ERR_STATE", async () => {
    expectAegisError(await rejection(store().tokens.storeToken({ ...token, expiresAt: Number.NaN })), "AEGIS_ERR_STATE");
    expect(await store().tokens.redeemToken(token.tokenHash, token.digest, T0)).toBe("unknown");
    await store().tokens.storeToken(token);
    expectAegisError(await rejection(store().tokens.redeemToken(token.tokenHash, token.digest, Number.NaN)), "AEGIS_ERR_STATE");
    expect(await store().tokens.redeemToken(token.tokenHash, token.digest, T0)).toBe("redeemed");
  });
});
