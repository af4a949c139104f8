// What the console reads and changes, as small interfaces the process wiring fills in.
import type { ApprovalsService } from "../approvals/approvals-service.ts";
import type { ApprovalRecord } from "../state/approval-store.ts";
import type { NewStandingApproval, StandingApproval, StandingFilter } from "../state/standing-approval-store.ts";

export interface StandingApprovalsPort {
  create(spec: Omit<NewStandingApproval, "now">): Promise<StandingApproval>;
  list(filter: StandingFilter): Promise<StandingApproval[]>;
  revoke(id: string, by: string): Promise<StandingApproval>;
}

export interface BundleHistoryEntry {
  readonly revision: string;
  readonly loaded_at: string;
  readonly live: boolean;
}

/** What the console shows of the live bundle (the reloader's status has more). */
export interface BundleStatusView {
  readonly revision: string | null;
  readonly loaded_at: string | null;
  readonly source: string;
  readonly last_error: { readonly code: string; readonly message: string } | null;
  readonly rollback?: { readonly by: string; readonly at: string; readonly from_revision: string | null } | null;
}

export interface BundlePort {
  status(): BundleStatusView;
  history(): readonly BundleHistoryEntry[];
  /** Switches to an earlier good bundle; throws an AegisError when it is not kept. */
  rollback(revision: string, by: string): Promise<void>;
}

export interface ConsoleDeps {
  readonly adminToken: string;
  readonly approvals: ApprovalsService;
  readonly standing: StandingApprovalsPort | null;
  readonly bundle: BundlePort | null;
  /** The decision-log file; null when the log is off or goes to stdout. */
  readonly decisionLogPath: string | null;
  readonly onResolved?: (record: ApprovalRecord, how: "approved" | "denied") => void;
  readonly now?: () => number;
}
