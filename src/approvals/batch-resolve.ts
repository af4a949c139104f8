// Batch actions: approve or deny every pending approval matching a filter, one resolution (and
// one audit record, through onResolved) per approval. Each is resolved on its own: one that
// another approver resolved meanwhile is reported, not fatal to the rest.
import { isAegisError } from "../errors/registry.ts";
import type { ApprovalRecord } from "../state/approval-store.ts";
import type { ApprovalsService } from "./approvals-service.ts";

export interface BatchFilter {
  readonly tenant?: string;
  readonly agent?: string;
  readonly tool?: string;
  readonly action?: string;
}

export interface BatchResult {
  readonly resolved: readonly ApprovalRecord[];
  /** Ids that were no longer pending when their turn came. */
  readonly skipped: readonly string[];
}

export async function resolveMatching(
  service: ApprovalsService, filter: BatchFilter, decision: "approve" | "deny", approver: string, comment: string | undefined,
  onResolved?: (record: ApprovalRecord, how: "approved" | "denied") => void,
): Promise<BatchResult> {
  const pending = await service.list({ status: "pending", ...(filter.tenant === undefined ? {} : { tenant: filter.tenant }), ...(filter.agent === undefined ? {} : { agent: filter.agent }) });
  const matching = pending.filter((a) => (filter.tool === undefined || a.tool === filter.tool) && (filter.action === undefined || a.action === filter.action));
  const resolved: ApprovalRecord[] = [];
  const skipped: string[] = [];
  for (const a of matching) {
    try {
      const record = decision === "approve" ? (await service.approve(a.id, approver, comment)).record : await service.deny(a.id, approver, comment);
      resolved.push(record);
      onResolved?.(record, decision === "approve" ? "approved" : "denied");
    } catch (err) {
      if (isAegisError(err, "AEGIS_ERR_APPROVAL_STATE") || isAegisError(err, "AEGIS_ERR_APPROVAL_NOT_FOUND")) skipped.push(a.id);
      else throw err;
    }
  }
  return { resolved, skipped };
}
