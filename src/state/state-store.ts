// Aegis' mutable state, as one small port per concern; each consumer takes only the port it uses
// (see docs/state.md). Two backends implement every port and share one contract test suite:
// SQLite (embedded default, one file under ./data) and Redis (shared by replicas). Every
// time-dependent method takes `now` (epoch milliseconds) from the caller, so tests and replicas
// agree on what "expired" means.

import type { ApprovalStore } from "./approval-store.ts";
import type { AttestationIdStore } from "./attestation-id-store.ts";
import type { BudgetStore } from "./budget-store.ts";
import type { StandingApprovalStore } from "./standing-approval-store.ts";
import type { TokenStore } from "./token-store.ts";
import type { TombstoneStore } from "./tombstone-store.ts";

export interface StateStore {
  readonly approvals: ApprovalStore;
  readonly tokens: TokenStore;
  readonly budgets: BudgetStore;
  readonly tombstones: TombstoneStore;
  readonly attestationIds: AttestationIdStore;
  /** Standing approvals (pre-approved call patterns), in the same database. */
  readonly standing: StandingApprovalStore;

  /** Resolves when the store answers a round trip; rejects with AEGIS_ERR_STATE otherwise. */
  health(): Promise<void>;
  close(): Promise<void>;
}
