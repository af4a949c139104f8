// Standing approvals as the API, CLI, console and check path use them: create, list, revoke,
// and the candidates that could cover one call. Taking a use is the store's atomic count-down.
import { matchingStandingApprovals, type StandingCall } from "../decision/standing-approval.ts";
import type { NewStandingApproval, StandingApproval, StandingApprovalStore, StandingFilter, StandingUse } from "../state/standing-approval-store.ts";

export interface StandingApprovalsOptions {
  readonly store: StandingApprovalStore;
  readonly now?: () => number;
  /** Audit of every change (created, revoked): who, what, when. */
  readonly onChange?: (record: StandingApproval, how: "created" | "revoked") => void;
}

export class StandingApprovalsService {
  readonly #store: StandingApprovalStore;
  readonly #now: () => number;
  readonly #onChange: StandingApprovalsOptions["onChange"];

  constructor(options: StandingApprovalsOptions) {
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    this.#onChange = options.onChange;
  }

  async create(spec: Omit<NewStandingApproval, "now">): Promise<StandingApproval> {
    const record = await this.#store.createStandingApproval({ ...spec, now: this.#now() });
    this.#onChange?.(record, "created");
    return record;
  }

  get(id: string): Promise<StandingApproval | undefined> {
    return this.#store.getStandingApproval(id, this.#now());
  }

  list(filter: StandingFilter): Promise<StandingApproval[]> {
    return this.#store.listStandingApprovals(filter, this.#now());
  }

  async revoke(id: string, by: string): Promise<StandingApproval> {
    const record = await this.#store.revokeStandingApproval(id, by, this.#now());
    this.#onChange?.(record, "revoked");
    return record;
  }

  /** The active standing approvals whose pattern covers this call, in the order to use them. */
  async candidates(call: StandingCall): Promise<StandingApproval[]> {
    return matchingStandingApprovals(await this.#store.listStandingApprovals({ tenant: call.tenant, agent: call.agent, status: "active" }, this.#now()), call);
  }

  consume(id: string): Promise<StandingUse> {
    return this.#store.consumeStandingApproval(id, this.#now());
  }
}
