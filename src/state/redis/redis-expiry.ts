// Redis runs TTLs on its own clock; the store decides "expired" by the caller's `now`. A key
// outlives the expiry it holds by this much, so a replica whose clock is behind Redis' (by up to
// this margin) still finds a tombstone, a claimed attestation id or a budget counter that, by its
// own clock, has not expired yet. Without it a lagging replica would forget a revocation or
// accept a replayed attestation id early.
export const SERVER_CLOCK_GRACE_MS = 60_000;
