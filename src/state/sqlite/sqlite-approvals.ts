// Approval records in SQLite; creation order is the AUTOINCREMENT `seq`, never reused.
import type { DatabaseSync } from "node:sqlite";
import { approvalNotFound, approvalNotPending, assertNewApproval, assertResolution, effectiveStatus, newApprovalId } from "../approval-record.ts";
import type { ApprovalRecord, ApprovalStatus, ApprovalStore } from "../approval-store.ts";
import { guarded } from "../state-errors.ts";
import { approvalFromRow, num, text } from "./sqlite-rows.ts";
import type { Sweep } from "./sqlite-sweeper.ts";
import { immediate } from "./sqlite-transaction.ts";

const EFFECTIVE_STATUS_SQL = "CASE WHEN a.status = 'pending' AND a.expires_at <= :now THEN 'expired' ELSE a.status END";
const SELECT_APPROVALS = `
  SELECT a.*,
    CASE WHEN a.status = 'pending' AND a.expires_at > :now THEN
      (SELECT count(*) FROM approvals p
        WHERE p.tenant = a.tenant AND p.status = 'pending' AND p.expires_at > :now AND p.seq <= a.seq)
    END AS queue_position
  FROM approvals a`;

export function sqliteApprovals(db: DatabaseSync, sweep: Sweep): ApprovalStore {
  const findPendingByDigest = db.prepare(`SELECT id FROM approvals
    WHERE tenant = :tenant AND digest = :digest AND status = 'pending' AND expires_at > :now
    ORDER BY seq LIMIT 1`);
  const insert = db.prepare(`INSERT INTO approvals
    (id, tenant, agent, tool, action, digest, reason, rule_id, policy_version, created_at, expires_at, status, params_preview)
    VALUES (:id, :tenant, :agent, :tool, :action, :digest, :reason, :rule_id, :policy_version, :created_at, :expires_at,
      'pending', :params_preview)`);
  const select = db.prepare(`${SELECT_APPROVALS} WHERE a.id = :id`);
  const list = db.prepare(`${SELECT_APPROVALS}
    WHERE (:tenant IS NULL OR a.tenant = :tenant)
      AND (:agent IS NULL OR a.agent = :agent)
      AND (:status IS NULL OR ${EFFECTIVE_STATUS_SQL} = :status)
    ORDER BY a.seq`);
  const statusOf = db.prepare("SELECT status, expires_at FROM approvals WHERE id = :id");
  const resolve = db.prepare(`UPDATE approvals
    SET status = :status, approver = :approver, comment = :comment, resolved_at = :resolved_at
    WHERE id = :id`);

  const read = (id: string, now: number): ApprovalRecord => {
    const row = select.get({ id, now });
    if (row === undefined) throw approvalNotFound(id);
    return approvalFromRow(row, now);
  };

  return {
    createOrReuseApproval: (approval) =>
      guarded("createOrReuseApproval", () => {
        assertNewApproval(approval);
        const { now } = approval;
        return immediate(db, () => {
          sweep(now);
          const existing = findPendingByDigest.get({ tenant: approval.tenant, digest: approval.digest, now });
          if (existing !== undefined) return { record: read(text(existing, "id"), now), created: false };
          const id = newApprovalId();
          insert.run({
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
          return { record: read(id, now), created: true };
        });
      }),

    getApproval: (id, now) =>
      guarded("getApproval", () => {
        const row = select.get({ id, now });
        return row === undefined ? undefined : approvalFromRow(row, now);
      }),

    listApprovals: (filter, now) =>
      guarded("listApprovals", () =>
        list
          .all({ now, status: filter.status ?? null, tenant: filter.tenant ?? null, agent: filter.agent ?? null })
          .map((row) => approvalFromRow(row, now)),
      ),

    resolveApproval: (id, resolution) =>
      guarded("resolveApproval", () => {
        assertResolution(resolution);
        const { now } = resolution;
        return immediate(db, () => {
          const row = statusOf.get({ id });
          if (row === undefined) throw approvalNotFound(id);
          const status = effectiveStatus(text(row, "status") as ApprovalStatus, num(row, "expires_at"), now);
          if (status !== "pending") throw approvalNotPending(id, status);
          resolve.run({ id, status: resolution.status, approver: resolution.approver, comment: resolution.comment ?? null, resolved_at: now });
          return read(id, now);
        });
      }),
  };
}
