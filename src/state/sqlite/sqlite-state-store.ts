import { DatabaseSync, type StatementSync } from "node:sqlite";
import {
  APPROVAL_RETENTION_MS,
  TOKEN_RETENTION_MS,
  approvalNotFound,
  approvalNotPending,
  assertNewApproval,
  assertResolution,
  effectiveStatus,
  newApprovalId,
} from "../approval-record.ts";
import { chargeFits, remainingBudget } from "../budget-fit.ts";
import { assertBudgetCharge, assertBudgetWindow, assertNow, windowBounds } from "../budget-window.ts";
import { AegisError } from "../../errors/registry.ts";
import type { SqliteSynchronous } from "../state-url.ts";
import { guarded } from "../state-errors.ts";
import type {
  ApprovalFilter,
  ApprovalRecord,
  ApprovalResolution,
  ApprovalStatus,
  BudgetCharge,
  BudgetReservation,
  BudgetWindow,
  NewApproval,
  NewOverrideToken,
  StateStore,
  TokenRedemption,
} from "../state-store.ts";
import { approvalFromRow, num, optionalNum, text } from "./sqlite-rows.ts";
import { prepareDatabaseFile } from "./sqlite-file.ts";
import { checkIntegrity } from "./sqlite-integrity.ts";
import { applySchema } from "./sqlite-schema.ts";
import { sqliteStanding } from "./sqlite-standing.ts";
import type { StandingApprovalStore } from "../standing-approval-store.ts";
import { immediate } from "./sqlite-transaction.ts";

/** How long a writer waits for another process's lock before failing with AEGIS_ERR_STATE. */
const BUSY_TIMEOUT_MS = 5_000;
/** Expired rows are deleted by the first write at least this long after the previous sweep. */
const SWEEP_INTERVAL_MS = 60_000;

const EFFECTIVE_STATUS_SQL = "CASE WHEN a.status = 'pending' AND a.expires_at <= :now THEN 'expired' ELSE a.status END";
const SELECT_APPROVALS = `
  SELECT a.*,
    CASE WHEN a.status = 'pending' AND a.expires_at > :now THEN
      (SELECT count(*) FROM approvals p
        WHERE p.tenant = a.tenant AND p.status = 'pending' AND p.expires_at > :now AND p.seq <= a.seq)
    END AS queue_position
  FROM approvals a`;

/**
 * node:sqlite is synchronous: each call holds the event loop for its statements (microseconds
 * unless another process holds the write lock). Several processes may share the file; WAL lets
 * readers proceed while one writer commits. synchronous is NORMAL (commits survive kill -9) unless
 * the state URL asks for FULL (commits also survive power loss); see SqliteSynchronous.
 */
export class SqliteStateStore implements StateStore {
  readonly #db: DatabaseSync;
  readonly #sql: ReturnType<typeof prepareStatements>;
  #lastSweep = Number.NEGATIVE_INFINITY;

  readonly #standing: StandingApprovalStore;

  private constructor(db: DatabaseSync) {
    this.#db = db;
    this.#sql = prepareStatements(db);
    this.#standing = sqliteStanding(db);
  }

  get standing(): StandingApprovalStore {
    return this.#standing;
  }

  /**
   * A missing file is created; an existing one must pass PRAGMA quick_check and hold the Aegis
   * tables, or open throws AEGIS_ERR_STATE; a zero-length one is refused unless `initialize`.
   */
  static open(path: string, synchronous: SqliteSynchronous = "normal", options: { readonly initialize?: boolean } = {}): SqliteStateStore {
    try {
      const prepared = path === ":memory:" ? "initialize" : prepareDatabaseFile(path, options.initialize === true);
      const db = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS });
      try {
        if (prepared === "check") checkIntegrity(db, path);
        db.exec("PRAGMA journal_mode = WAL");
        db.exec(`PRAGMA synchronous = ${synchronous === "full" ? "FULL" : "NORMAL"}`);
        applySchema(db);
        return new SqliteStateStore(db);
      } catch (error) {
        db.close();
        throw error;
      }
    } catch (cause) {
      if (cause instanceof AegisError) throw cause;
      throw new AegisError("AEGIS_ERR_STATE", `cannot open SQLite state at ${path}: ${String(cause)}`, { cause });
    }
  }

  createOrReuseApproval(approval: NewApproval): Promise<{ record: ApprovalRecord; created: boolean }> {
    return guarded("createOrReuseApproval", () => {
      assertNewApproval(approval);
      const { now } = approval;
      return immediate(this.#db, () => {
        this.#sweep(now);
        const existing = this.#sql.findPendingByDigest.get({ tenant: approval.tenant, digest: approval.digest, now });
        if (existing !== undefined) return { record: this.#read(text(existing, "id"), now), created: false };
        const id = newApprovalId();
        this.#sql.insertApproval.run({
          id,
          tenant: approval.tenant,
          agent: approval.agent,
          tool: approval.tool,
          action: approval.action,
          digest: approval.digest,
          reason: approval.reason,
          rule_id: approval.rule_id,
          policy_version: approval.policy_version,
          created_at: now,
          expires_at: now + Math.round(approval.expires_in_seconds * 1000),
          params_preview: approval.params_preview === undefined ? null : JSON.stringify(approval.params_preview),
        });
        return { record: this.#read(id, now), created: true };
      });
    });
  }

  getApproval(id: string, now: number): Promise<ApprovalRecord | undefined> {
    return guarded("getApproval", () => {
      const row = this.#sql.selectApproval.get({ id, now });
      return row === undefined ? undefined : approvalFromRow(row, now);
    });
  }

  listApprovals(filter: ApprovalFilter, now: number): Promise<ApprovalRecord[]> {
    return guarded("listApprovals", () =>
      this.#sql.listApprovals
        .all({ now, status: filter.status ?? null, tenant: filter.tenant ?? null, agent: filter.agent ?? null })
        .map((row) => approvalFromRow(row, now)),
    );
  }

  resolveApproval(id: string, resolution: ApprovalResolution): Promise<ApprovalRecord> {
    return guarded("resolveApproval", () => {
      assertResolution(resolution);
      const { now } = resolution;
      return immediate(this.#db, () => {
        const row = this.#sql.approvalStatus.get({ id });
        if (row === undefined) throw approvalNotFound(id);
        const status = effectiveStatus(text(row, "status") as ApprovalStatus, num(row, "expires_at"), now);
        if (status !== "pending") throw approvalNotPending(id, status);
        this.#sql.resolveApproval.run({
          id,
          status: resolution.status,
          approver: resolution.approver,
          comment: resolution.comment ?? null,
          resolved_at: now,
        });
        return this.#read(id, now);
      });
    });
  }

  storeToken(token: NewOverrideToken): Promise<void> {
    return guarded("storeToken", () => {
      const { changes } = this.#sql.insertToken.run({
        token_hash: token.tokenHash,
        digest: token.digest,
        approval_id: token.approvalId,
        expires_at: token.expiresAt,
      });
      if (changes === 0) throw new AegisError("AEGIS_ERR_STATE", "an override token with this hash is already stored");
    });
  }

  redeemToken(tokenHash: string, digest: string, now: number): Promise<TokenRedemption> {
    return guarded("redeemToken", () => {
      assertNow(now);
      return immediate(this.#db, (): TokenRedemption => {
        this.#sweep(now);
        const row = this.#sql.selectToken.get({ token_hash: tokenHash });
        if (row === undefined) return "unknown";
        if (optionalNum(row, "used_at") !== null) return "used";
        if (num(row, "expires_at") <= now) return "expired";
        if (text(row, "digest") !== digest) return "mismatch";
        this.#sql.useToken.run({ token_hash: tokenHash, used_at: now });
        return "redeemed";
      });
    });
  }

  readBudgets(windows: readonly BudgetWindow[], now: number): Promise<number[]> {
    return guarded("readBudgets", () => {
      assertNow(now);
      return windows.map((window) => {
        assertBudgetWindow(window);
        const row = this.#sql.selectSpent.get(budgetParams(window, now));
        return row === undefined ? 0 : num(row, "spent");
      });
    });
  }

  reserveBudgets(charges: readonly BudgetCharge[], now: number): Promise<BudgetReservation> {
    return guarded("reserveBudgets", () => {
      assertNow(now);
      charges.forEach(assertBudgetCharge);
      return immediate(this.#db, (): BudgetReservation => {
        this.#sweep(now);
        // Two charges may name the same counter: the second sees the first one's cost.
        const spentAfter = new Map<string, number>();
        const counters = charges.map((charge) => {
          const params = budgetParams(charge, now);
          const id = JSON.stringify(Object.values(params));
          if (!spentAfter.has(id)) {
            const row = this.#sql.selectSpent.get(params);
            spentAfter.set(id, row === undefined ? 0 : num(row, "spent"));
          }
          return { id, params };
        });
        for (const [index, charge] of charges.entries()) {
          const counter = counters[index]!;
          const spent = spentAfter.get(counter.id)!;
          if (!chargeFits(spent, charge.cost, charge.limit)) return { ok: false, exceeded: index };
          spentAfter.set(counter.id, spent + charge.cost);
        }
        for (const [index, charge] of charges.entries()) {
          const { params } = counters[index]!;
          this.#sql.addSpent.run({ ...params, window_end: windowBounds(now, charge.windowSeconds).end, cost: charge.cost });
        }
        return {
          ok: true,
          remaining: charges.map((charge, index) => remainingBudget(charge.limit, spentAfter.get(counters[index]!.id)!)),
        };
      });
    });
  }

  releaseBudgets(charges: readonly BudgetCharge[], now: number): Promise<void> {
    return guarded("releaseBudgets", () => {
      assertNow(now);
      charges.forEach(assertBudgetCharge);
      immediate(this.#db, () => {
        for (const charge of charges) this.#sql.releaseSpent.run({ ...budgetParams(charge, now), cost: charge.cost });
      });
    });
  }

  addTombstone(id: string, expiresAt: number): Promise<void> {
    return guarded("addTombstone", () => {
      assertNow(expiresAt);
      this.#sql.upsertTombstone.run({ id, expires_at: expiresAt });
    });
  }

  isTombstoned(id: string, now: number): Promise<boolean> {
    return guarded("isTombstoned", () => {
      const row = this.#sql.selectTombstone.get({ id });
      return row !== undefined && num(row, "expires_at") > now;
    });
  }

  claimAttestationId(id: string, expiresAt: number, now: number): Promise<boolean> {
    return guarded("claimAttestationId", () => {
      assertNow(now);
      assertNow(expiresAt);
      return immediate(this.#db, () => {
        this.#sweep(now);
        // Inserts, or takes over an expired claim; an unexpired one stays and changes nothing.
        return this.#sql.claimAttestationId.run({ id, expires_at: expiresAt, now }).changes === 1;
      });
    });
  }

  close(): Promise<void> {
    return guarded("close", () => {
      if (this.#db.isOpen) this.#db.close();
    });
  }

  #read(id: string, now: number): ApprovalRecord {
    const row = this.#sql.selectApproval.get({ id, now });
    if (row === undefined) throw approvalNotFound(id);
    return approvalFromRow(row, now);
  }

  /** Runs inside the caller's write transaction, so it never takes the lock on its own. */
  #sweep(now: number): void {
    if (now - this.#lastSweep < SWEEP_INTERVAL_MS) return;
    this.#lastSweep = now;
    this.#sql.sweepBudgets.run({ now });
    this.#sql.sweepTokens.run({ before: now - TOKEN_RETENTION_MS });
    this.#sql.sweepTombstones.run({ now });
    this.#sql.sweepAttestationIds.run({ now });
    this.#sql.sweepApprovals.run({ before: now - APPROVAL_RETENTION_MS });
  }
}

function budgetParams(window: BudgetWindow, now: number) {
  return {
    tenant: window.key.tenant,
    agent: window.key.agent,
    name: window.key.name,
    window_seconds: window.windowSeconds,
    window_start: windowBounds(now, window.windowSeconds).start,
  };
}

function prepareStatements(db: DatabaseSync) {
  const sql = (source: string): StatementSync => db.prepare(source);
  return {
    findPendingByDigest: sql(`SELECT id FROM approvals
      WHERE tenant = :tenant AND digest = :digest AND status = 'pending' AND expires_at > :now
      ORDER BY seq LIMIT 1`),
    insertApproval: sql(`INSERT INTO approvals
      (id, tenant, agent, tool, action, digest, reason, rule_id, policy_version, created_at, expires_at, status, params_preview)
      VALUES (:id, :tenant, :agent, :tool, :action, :digest, :reason, :rule_id, :policy_version, :created_at, :expires_at,
        'pending', :params_preview)`),
    selectApproval: sql(`${SELECT_APPROVALS} WHERE a.id = :id`),
    listApprovals: sql(`${SELECT_APPROVALS}
      WHERE (:tenant IS NULL OR a.tenant = :tenant)
        AND (:agent IS NULL OR a.agent = :agent)
        AND (:status IS NULL OR ${EFFECTIVE_STATUS_SQL} = :status)
      ORDER BY a.seq`),
    approvalStatus: sql("SELECT status, expires_at FROM approvals WHERE id = :id"),
    resolveApproval: sql(`UPDATE approvals
      SET status = :status, approver = :approver, comment = :comment, resolved_at = :resolved_at
      WHERE id = :id`),
    insertToken: sql(`INSERT INTO override_tokens (token_hash, digest, approval_id, expires_at)
      VALUES (:token_hash, :digest, :approval_id, :expires_at) ON CONFLICT (token_hash) DO NOTHING`),
    selectToken: sql("SELECT digest, expires_at, used_at FROM override_tokens WHERE token_hash = :token_hash"),
    useToken: sql("UPDATE override_tokens SET used_at = :used_at WHERE token_hash = :token_hash"),
    selectSpent: sql(`SELECT spent FROM budget_windows
      WHERE tenant = :tenant AND agent = :agent AND name = :name
        AND window_seconds = :window_seconds AND window_start = :window_start`),
    addSpent: sql(`INSERT INTO budget_windows (tenant, agent, name, window_seconds, window_start, window_end, spent)
      VALUES (:tenant, :agent, :name, :window_seconds, :window_start, :window_end, :cost)
      ON CONFLICT (tenant, agent, name, window_seconds, window_start) DO UPDATE SET spent = spent + excluded.spent`),
    upsertTombstone: sql(`INSERT INTO tombstones (id, expires_at) VALUES (:id, :expires_at)
      ON CONFLICT (id) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)`),
    selectTombstone: sql("SELECT expires_at FROM tombstones WHERE id = :id"),
    claimAttestationId: sql(`INSERT INTO attestation_ids (id, expires_at) VALUES (:id, :expires_at)
      ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at WHERE attestation_ids.expires_at <= :now`),
    sweepAttestationIds: sql("DELETE FROM attestation_ids WHERE expires_at <= :now"),
    sweepBudgets: sql("DELETE FROM budget_windows WHERE window_end <= :now"),
    releaseSpent: sql(`UPDATE budget_windows SET spent = max(0, spent - :cost)
      WHERE tenant = :tenant AND agent = :agent AND name = :name AND window_seconds = :window_seconds AND window_start = :window_start`),
    sweepTokens: sql("DELETE FROM override_tokens WHERE expires_at <= :before"),
    sweepTombstones: sql("DELETE FROM tombstones WHERE expires_at <= :now"),
    sweepApprovals: sql("DELETE FROM approvals WHERE expires_at <= :before"),
  };
}
