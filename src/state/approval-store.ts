// Approval records: an approval_needed call waiting for a human, and its resolution. Used by the
// approvals service (src/approvals); the override token an approval mints lives in token-store.ts.

export type ApprovalStatus = "pending" | "approved" | "denied" | "expired";

/** The call an approval is about: what both a new approval and its stored record carry. */
export interface ApprovalSubject {
  readonly tenant: string;
  readonly agent: string;
  readonly tool: string;
  readonly action: string;
  /** SHA-256 hex of the canonical call (tenant, agent, tool, action, method, host, path, parameters), computed by the caller. */
  readonly digest: string;
  readonly reason: string;
  readonly rule_id: string;
  readonly policy_version: string;
}

export interface NewApproval extends ApprovalSubject {
  /** Parameters with sanitized values already masked; stored as given. */
  readonly params_preview?: Readonly<Record<string, unknown>>;
  /** Epoch ms; becomes created_at. */
  readonly now: number;
  readonly expires_in_seconds: number;
}

export interface ApprovalRecord extends ApprovalSubject {
  /** Random, URL-safe. */
  readonly id: string;
  /** ISO 8601 UTC. */
  readonly created_at: string;
  readonly expires_at: string;
  /** A pending record whose expires_at has passed reads as "expired". */
  readonly status: ApprovalStatus;
  /** 1-based rank among the tenant's pending, unexpired approvals (oldest first); null unless pending. */
  readonly queue_position: number | null;
  readonly approver: string | null;
  readonly comment: string | null;
  readonly resolved_at: string | null;
  readonly params_preview: Readonly<Record<string, unknown>> | null;
}

export interface ApprovalFilter {
  readonly status?: ApprovalStatus;
  readonly tenant?: string;
  readonly agent?: string;
}

export interface ApprovalResolution {
  readonly status: "approved" | "denied";
  readonly approver: string;
  readonly comment?: string;
  readonly now: number;
}

/**
 * "Oldest first" everywhere means creation order: the order in which the store accepted the
 * records (a sequence the store assigns), not created_at, which is the caller's clock and may
 * tie (same millisecond) or run backwards (replicas with skewed clocks).
 */
export interface ApprovalStore {
  /** Reuses the tenant's pending, unexpired approval with the same digest; else creates one. Atomic. */
  createOrReuseApproval(approval: NewApproval): Promise<{ record: ApprovalRecord; created: boolean }>;
  getApproval(id: string, now: number): Promise<ApprovalRecord | undefined>;
  /** In creation order, across tenants too; the status filter compares the status as read at `now`. */
  listApprovals(filter: ApprovalFilter, now: number): Promise<ApprovalRecord[]>;
  /**
   * Only from pending and unexpired, and only once: throws AegisError AEGIS_ERR_APPROVAL_NOT_FOUND
   * or AEGIS_ERR_APPROVAL_STATE (details.status holds the current status).
   */
  resolveApproval(id: string, resolution: ApprovalResolution): Promise<ApprovalRecord>;
}
