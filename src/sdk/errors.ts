// What withAegis throws instead of calling a tool the policy does not let through. Both carry
// the whole CheckResult so a framework can log the decision id or show the reason to a model.
import { AegisError } from "../errors/registry.ts";
import type { CheckResult } from "./types.ts";

export class AegisDeniedError extends AegisError {
  readonly result: CheckResult;
  readonly reason: string;
  readonly ruleId: string;
  readonly decisionId: string;

  constructor(tool: string, action: string, result: CheckResult) {
    super("AEGIS_ERR_SDK_DENIED", `${tool}/${action} denied by policy: ${result.reason}${result.detail === undefined ? "" : ` (${result.detail})`} [rule ${result.ruleId}, decision ${result.decisionId}]`, {
      details: { reason: result.reason, rule_id: result.ruleId, decision_id: result.decisionId },
    });
    this.name = "AegisDeniedError";
    this.result = result;
    this.reason = result.reason;
    this.ruleId = result.ruleId;
    this.decisionId = result.decisionId;
  }
}

export class AegisApprovalPendingError extends AegisError {
  readonly result: CheckResult;
  /** null in embedded mode, which records no approvals. */
  readonly approvalId: string | null;
  readonly expiresAt: string | null;
  readonly decisionId: string;

  constructor(tool: string, action: string, result: CheckResult) {
    const approvalId = result.approval?.approvalId ?? null;
    super("AEGIS_ERR_SDK_APPROVAL_PENDING", `${tool}/${action} needs a human approval${approvalId === null ? " (none was recorded)" : ` (approval ${approvalId})`} [decision ${result.decisionId}]`, {
      details: { approval_id: approvalId, decision_id: result.decisionId },
    });
    this.name = "AegisApprovalPendingError";
    this.result = result;
    this.approvalId = approvalId;
    this.expiresAt = result.approval?.expiresAt ?? null;
    this.decisionId = result.decisionId;
  }
}
