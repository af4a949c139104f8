// Budget counters, read before evaluation and charged for calls that go through (src/authz).

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

export interface BudgetStore {
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
}
