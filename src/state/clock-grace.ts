// Each store call decides "expired" by the caller's `now`, but replicas' clocks differ a little,
// and Redis runs its TTLs on its own clock. So neither backend deletes a tombstone, an attestation
// id claim or a budget counter until this long after the expiry it holds (Redis: the key's TTL;
// SQLite: the sweep). A caller whose clock is behind by up to this margin still finds what, by its
// own clock, has not expired yet; without it a lagging replica would forget a revocation, accept a
// replayed attestation id, or start a budget window afresh early.
export const CLOCK_GRACE_MS = 60_000;
