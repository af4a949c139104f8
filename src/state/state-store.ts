// The one interface to Aegis' mutable state: approvals, override tokens, budget counters,
// tombstones and spent attestation ids. Two implementations share one contract test suite: SQLite (embedded default, one
// file under ./data) and Redis (shared by replicas). Every time-dependent method takes `now`
// (epoch milliseconds) from the caller, so tests and replicas agree on what "expired" means.

import type { StandingApprovalStore } from "./standing-approval-store.ts";

export type ApprovalStatus = "pending" | "approved" | "denied" | "expired";

export interface NewApproval {
  readonly tenant: string;
  readonly agent: string;
  readonly tool: string;
  readonly action: string;
  /** SHA-256 hex of the canonical call (tenant, agent, tool, action, method, host, path, parameters), computed by the caller. */
  readonly digest: string;
  readonly reason: string;
  readonly rule_id: string;
  readonly policy_version: string;
  /** Parameters with sanitized values already masked; stored as given. */
  readonly params_preview?: Readonly<Record<string, unknown>>;
  /** Epoch ms; becomes created_at. */
  readonly now: number;
  readonly expires_in_seconds: number;
}

export interface ApprovalRecord {
  /** Random, URL-safe. */
  readonly id: string;
  readonly tenant: string;
  readonly agent: string;
  readonly tool: string;
  readonly action: string;
  readonly digest: string;
  readonly reason: string;
  readonly rule_id: string;
  readonly policy_version: string;
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

export interface BudgetKey {
  readonly tenant: string;
  readonly agent: string;
  readonly name: string;
}

/** A budget counter in fixed windows aligned to the UTC epoch: start = floor(now / size) × size. */
export interface BudgetWindow {
  readonly key: BudgetKey;
  readonly windowSeconds: number;
}

export interface BudgetCharge extends BudgetWindow {
  readonly cost: number;
  readonly limit: number;
}

export type BudgetReservation =
  | { readonly ok: true; readonly remaining: number[] }
  | { readonly ok: false; readonly exceeded: number };

export interface StateStore {
  /** Standing approvals (pre-approved call patterns), in the same database: see standing-approval-store.ts. */
  readonly standing: StandingApprovalStore;
  /** Reuses the tenant's pending, unexpired approval with the same digest; else creates one. Atomic. */
  createOrReuseApproval(approval: NewApproval): Promise<{ record: ApprovalRecord; created: boolean }>;
  getApproval(id: string, now: number): Promise<ApprovalRecord | undefined>;
  /** Oldest first. */
  listApprovals(filter: ApprovalFilter, now: number): Promise<ApprovalRecord[]>;
  /**
   * Only from pending and unexpired, and only once: throws AegisError AEGIS_ERR_APPROVAL_NOT_FOUND
   * or AEGIS_ERR_APPROVAL_STATE (details.status holds the current status).
   */
  resolveApproval(id: string, resolution: ApprovalResolution): Promise<ApprovalRecord>;

  /** Throws AEGIS_ERR_STATE if the hash is already stored. */
  storeToken(token: NewOverrideToken): Promise<void>;
  /**
   * Atomic single use. Checked in this order: unknown, used, expired, mismatch; only "redeemed"
   * consumes the token, so a call with the wrong digest leaves it usable for the right one.
   */
  redeemToken(tokenHash: string, digest: string, now: number): Promise<TokenRedemption>;

  /** Spent in the current window of each budget, in input order (0 when nothing was charged). */
  readBudgets(windows: readonly BudgetWindow[], now: number): Promise<number[]>;
  /**
   * All-or-nothing and atomic across processes: charges apply only if every spent + cost ≤ limit.
   * `exceeded` is the index of the first charge that would overshoot; `remaining[i]` is
   * limit − spent after all charges were applied.
   */
  reserveBudgets(charges: readonly BudgetCharge[], now: number): Promise<BudgetReservation>;
  /**
   * Gives back charges an earlier reserveBudgets made in the same windows (never below 0), for a
   * call that was reserved for but then not let through (its override token or standing
   * approval lost a race): the budget is reserved first, so a lost budget race spends no token.
   */
  releaseBudgets(charges: readonly BudgetCharge[], now: number): Promise<void>;

  /** Marks a revoked attestation or token id until expiresAt (epoch ms); a later expiry wins. */
  addTombstone(id: string, expiresAt: number): Promise<void>;
  isTombstoned(id: string, now: number): Promise<boolean>;

  /**
   * Single-use attestations: records `id` (a jti) until expiresAt (epoch ms). True for the first
   * claim, false while an earlier claim is unexpired (now < its expiresAt). Atomic across
   * processes: of any number of concurrent claims of one id, exactly one gets true.
   */
  claimAttestationId(id: string, expiresAt: number, now: number): Promise<boolean>;

  close(): Promise<void>;
}
