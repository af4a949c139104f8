// Key layout. Every tenant-scoped key carries the tenant as a Redis Cluster hash tag
// (`aegis:{acme}:…`), so the Lua scripts that touch several keys of one tenant stay in one slot.
// Each variable segment is percent-encoded, so a ':' or '{' in a name can never forge another key.

const segment = (value: string): string => encodeURIComponent(value);

const tenantPrefix = (tenant: string): string => `aegis:{${segment(tenant)}}`;

export const redisKeys = {
  /** Set of tenants that have approvals, to list across tenants. */
  tenants: (): string => "aegis:tenants",
  /** String: the tenant that owns an approval id (ids are global, records are per tenant). */
  approvalTenant: (id: string): string => `aegis:approval-tenant:${segment(id)}`,
  /** Hash: one approval record. */
  approval: (tenant: string, id: string): string => `${tenantPrefix(tenant)}:approval:${segment(id)}`,
  /** Prefix the Lua script extends with an id it read (same tenant, same slot). */
  approvalPrefix: (tenant: string): string => `${tenantPrefix(tenant)}:approval:`,
  /** Sorted set: every approval id of the tenant, scored by creation sequence. */
  approvals: (tenant: string): string => `${tenantPrefix(tenant)}:approvals`,
  /** Sorted set: pending approval ids by creation sequence (queue order). */
  pendingBySeq: (tenant: string): string => `${tenantPrefix(tenant)}:pending:by-seq`,
  /** Sorted set: pending approval ids by expires_at, to drop expired ones from the queue. */
  pendingByExpiry: (tenant: string): string => `${tenantPrefix(tenant)}:pending:by-expiry`,
  /** Counter: creation order of approvals across tenants (outside any tenant's slot: INCR alone). */
  approvalOrder: (): string => "aegis:approval-order",
  /** Number: the highest creation order used in the tenant, so its own records stay in order. */
  approvalSeq: (tenant: string): string => `${tenantPrefix(tenant)}:approval-seq`,
  /** String: the pending approval id for a call digest, expiring with it. */
  approvalByDigest: (tenant: string, digest: string): string =>
    `${tenantPrefix(tenant)}:approval-digest:${segment(digest)}`,
  /** String (a decimal): spent in one budget window; expires after the window ends. */
  budget: (tenant: string, agent: string, name: string, windowSeconds: number, windowStart: number): string =>
    `${tenantPrefix(tenant)}:budget:${segment(agent)}:${segment(name)}:${windowSeconds}:${windowStart}`,
  /** Hash: an override token by its SHA-256. */
  token: (tokenHash: string): string => `aegis:token:${segment(tokenHash)}`,
  /** String: a tombstone's expires_at (epoch ms). */
  tombstone: (id: string): string => `aegis:tombstone:${segment(id)}`,
  /** String: a claimed attestation id (call_chain.single_use), expiring with the claim. */
  attestationId: (id: string): string => `aegis:attestation-id:${segment(id)}`,
};
