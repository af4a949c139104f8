// Revoked call-chain attestation ids: the revocations API writes them, the call-chain check reads them.

export interface TombstoneStore {
  /** Marks a revoked attestation or token id until expiresAt (epoch ms); a later expiry wins. */
  addTombstone(id: string, expiresAt: number): Promise<void>;
  /** True while now < the id's expiresAt. */
  isTombstoned(id: string, now: number): Promise<boolean>;
}
