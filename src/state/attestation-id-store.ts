// The replay cache of call_chain.single_use: attestation ids (jti) already presented once.
// Its own port rather than part of TombstoneStore: tombstones are written by an operator and only
// read on the hot path, claims are a read-and-write on the hot path, and a revoked id and a spent
// id are different facts (the contract suite keeps them apart even under the same name).

export interface AttestationIdStore {
  /**
   * Records `id` until expiresAt (epoch ms). True for the first claim, false while an earlier claim
   * is unexpired (now < its expiresAt). Atomic across processes: of any number of concurrent
   * claims of one id, exactly one gets true.
   */
  claimAttestationId(id: string, expiresAt: number, now: number): Promise<boolean>;
}
