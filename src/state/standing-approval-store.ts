// Standing approvals: an approver's pre-approval of a pattern of calls (tenant, agent, tool,
// action, parameter bounds) for a number of uses until an expiry. Both state backends implement
// these operations; the count-down is atomic across processes, so N uses let exactly N calls through.

export interface ParamBound {
  readonly param: string;
  /** Inclusive numeric bounds; the value must be a JSON number or a plain decimal string. */
  readonly min?: number;
  readonly max?: number;
  /** The value must equal one of these (numbers compare numerically). */
  readonly in?: readonly (string | number)[];
}

export interface NewStandingApproval {
  readonly tenant: string;
  readonly agent: string;
  readonly tool: string;
  readonly action: string;
  readonly bounds: readonly ParamBound[];
  readonly uses: number;
  /** Epoch ms. */
  readonly expiresAt: number;
  readonly createdBy: string;
  readonly comment?: string;
  /** Epoch ms; becomes created_at. */
  readonly now: number;
}

export type StandingStatus = "active" | "exhausted" | "expired" | "revoked";

export interface StandingApproval {
  readonly id: string;
  readonly tenant: string;
  readonly agent: string;
  readonly tool: string;
  readonly action: string;
  readonly bounds: readonly ParamBound[];
  readonly uses_total: number;
  readonly uses_left: number;
  /** ISO 8601 UTC. */
  readonly created_at: string;
  readonly expires_at: string;
  readonly created_by: string;
  readonly comment: string | null;
  readonly revoked_at: string | null;
  readonly revoked_by: string | null;
  readonly status: StandingStatus;
}

export interface StandingFilter {
  readonly tenant?: string;
  readonly agent?: string;
  readonly status?: StandingStatus;
}

export type StandingUse = "consumed" | "unknown" | "exhausted" | "expired" | "revoked";

export interface StandingApprovalStore {
  createStandingApproval(approval: NewStandingApproval): Promise<StandingApproval>;
  getStandingApproval(id: string, now: number): Promise<StandingApproval | undefined>;
  /** Newest first. */
  listStandingApprovals(filter: StandingFilter, now: number): Promise<StandingApproval[]>;
  /** Throws AEGIS_ERR_APPROVAL_NOT_FOUND, or AEGIS_ERR_APPROVAL_STATE when already revoked. */
  revokeStandingApproval(id: string, by: string, now: number): Promise<StandingApproval>;
  /** Atomically takes one use: "consumed" only while active with uses left. */
  consumeStandingApproval(id: string, now: number): Promise<StandingUse>;
}
