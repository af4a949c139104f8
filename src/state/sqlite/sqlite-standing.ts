// Standing approvals in SQLite: one row each; the count-down is one UPDATE inside an IMMEDIATE
// transaction, so processes sharing the file take uses one at a time.
import type { DatabaseSync, SQLOutputValue, StatementSync } from "node:sqlite";
import { assertNow } from "../budget-window.ts";
import { guarded } from "../state-errors.ts";
import type { NewStandingApproval, ParamBound, StandingApproval, StandingApprovalStore, StandingFilter, StandingUse } from "../standing-approval-store.ts";
import { assertNewStanding, newStandingId, STANDING_RETENTION_MS, standingAlreadyRevoked, standingNotFound, standingRecord, standingStatus } from "../standing-record.ts";
import { num, optionalNum, optionalText, text } from "./sqlite-rows.ts";
import { immediate } from "./sqlite-transaction.ts";

type Row = Record<string, SQLOutputValue>;

export function sqliteStanding(db: DatabaseSync): StandingApprovalStore {
  const sql = (s: string): StatementSync => db.prepare(s);
  const insert = sql(`INSERT INTO standing_approvals (id, tenant, agent, tool, action, bounds, uses_total, uses_left, created_at, expires_at, created_by, comment)
    VALUES (:id, :tenant, :agent, :tool, :action, :bounds, :uses, :uses, :created_at, :expires_at, :created_by, :comment)`);
  const select = sql("SELECT * FROM standing_approvals WHERE id = :id");
  const list = sql(`SELECT * FROM standing_approvals WHERE (:tenant IS NULL OR tenant = :tenant) AND (:agent IS NULL OR agent = :agent) ORDER BY created_at DESC, id DESC`);
  const revoke = sql("UPDATE standing_approvals SET revoked_at = :now, revoked_by = :by WHERE id = :id");
  const take = sql("UPDATE standing_approvals SET uses_left = uses_left - 1 WHERE id = :id AND uses_left > 0");
  const sweep = sql("DELETE FROM standing_approvals WHERE coalesce(revoked_at, expires_at) <= :before");

  const record = (row: Row, now: number): StandingApproval => standingRecord({
    id: text(row, "id"), tenant: text(row, "tenant"), agent: text(row, "agent"), tool: text(row, "tool"), action: text(row, "action"),
    bounds: JSON.parse(text(row, "bounds")) as ParamBound[], usesTotal: num(row, "uses_total"), usesLeft: num(row, "uses_left"),
    createdAt: num(row, "created_at"), expiresAt: num(row, "expires_at"), createdBy: text(row, "created_by"),
    comment: optionalText(row, "comment"), revokedAt: optionalNum(row, "revoked_at"),
    revokedBy: optionalText(row, "revoked_by"),
  }, now);

  return {
    createStandingApproval(a: NewStandingApproval) {
      return guarded("createStandingApproval", () => {
        assertNewStanding(a);
        const id = newStandingId();
        return immediate(db, () => {
          sweep.run({ before: a.now - STANDING_RETENTION_MS });
          insert.run({ id, tenant: a.tenant, agent: a.agent, tool: a.tool, action: a.action, bounds: JSON.stringify(a.bounds), uses: a.uses, created_at: a.now, expires_at: a.expiresAt, created_by: a.createdBy, comment: a.comment ?? null });
          return record(select.get({ id }) as Row, a.now);
        });
      });
    },
    getStandingApproval(id, now) {
      return guarded("getStandingApproval", () => {
        const row = select.get({ id });
        return row === undefined ? undefined : record(row, now);
      });
    },
    listStandingApprovals(filter: StandingFilter, now) {
      return guarded("listStandingApprovals", () =>
        list.all({ tenant: filter.tenant ?? null, agent: filter.agent ?? null }).map((row) => record(row, now)).filter((s) => filter.status === undefined || s.status === filter.status));
    },
    revokeStandingApproval(id, by, now) {
      return guarded("revokeStandingApproval", () => immediate(db, () => {
        const row = select.get({ id });
        if (row === undefined) throw standingNotFound(id);
        if (optionalNum(row, "revoked_at") !== null) throw standingAlreadyRevoked(id);
        revoke.run({ id, by, now });
        return record(select.get({ id }) as Row, now);
      }));
    },
    consumeStandingApproval(id, now): Promise<StandingUse> {
      return guarded("consumeStandingApproval", () => {
        assertNow(now);
        return immediate(db, (): StandingUse => {
          const row = select.get({ id });
          if (row === undefined) return "unknown";
          const status = standingStatus(num(row, "uses_left"), num(row, "expires_at"), optionalNum(row, "revoked_at"), now);
          if (status !== "active") return status;
          return take.run({ id }).changes === 1 ? "consumed" : "exhausted";
        });
      });
    },
  };
}
