// One-time override tokens minted on approval (src/approvals): stored by hash, redeemed once.

export interface NewOverrideToken {
  /** SHA-256 hex of the token; the token itself is never stored. */
  readonly tokenHash: string;
  /** Digest of the one call the token lets through. */
  readonly digest: string;
  readonly approvalId: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

export type TokenRedemption = "redeemed" | "unknown" | "expired" | "used" | "mismatch";

export interface TokenStore {
  /** Throws AEGIS_ERR_STATE if the hash is already stored (the first token stays as it was). */
  storeToken(token: NewOverrideToken): Promise<void>;
  /**
   * Atomic single use. Checked in this order: unknown, used, expired, mismatch; only "redeemed"
   * consumes the token, so a call with the wrong digest leaves it usable for the right one.
   * A token is valid while now < expiresAt.
   */
  redeemToken(tokenHash: string, digest: string, now: number): Promise<TokenRedemption>;
}
