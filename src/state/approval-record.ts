import { randomBytes } from "node:crypto";
import { AegisError } from "../errors/registry.ts";
import type { ApprovalResolution, ApprovalStatus, NewApproval } from "./approval-store.ts";

/** 128 random bits, base64url: unguessable and safe in a URL path. */
export function newApprovalId(): string {
  return randomBytes(16).toString("base64url");
}

// Expiry is computed on read, not by a sweeper, so a record is never seen as pending after its
// deadline just because nothing has touched it yet.
export function effectiveStatus(stored: ApprovalStatus, expiresAt: number, now: number): ApprovalStatus {
  return stored === "pending" && expiresAt <= now ? "expired" : stored;
}

export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** How long an approval record is kept after its expires_at, for the approvals API and audits. */
export const APPROVAL_RETENTION_MS = 30 * 24 * 3600 * 1000;

/** How long a spent or expired override token is kept, so a replay reads "used"/"expired", not "unknown". */
export const TOKEN_RETENTION_MS = 24 * 3600 * 1000;

export function assertNewApproval(approval: NewApproval): void {
  if (!Number.isFinite(approval.now)) throw invalidInput("now must be finite epoch milliseconds");
  if (!Number.isFinite(approval.expires_in_seconds) || approval.expires_in_seconds <= 0) {
    throw invalidInput("expires_in_seconds must be a positive number");
  }
}

export function assertResolution(resolution: ApprovalResolution): void {
  if (resolution.status !== "approved" && resolution.status !== "denied") {
    throw invalidInput(`an approval resolves to approved or denied, not ${String(resolution.status)}`);
  }
  if (typeof resolution.approver !== "string" || resolution.approver.trim() === "") {
    throw invalidInput("a resolution names its approver");
  }
  if (!Number.isFinite(resolution.now)) throw invalidInput("now must be finite epoch milliseconds");
}

export function approvalNotFound(id: string): AegisError {
  return new AegisError("AEGIS_ERR_APPROVAL_NOT_FOUND", `no approval ${id}`, { details: { id } });
}

export function approvalNotPending(id: string, status: ApprovalStatus): AegisError {
  return new AegisError("AEGIS_ERR_APPROVAL_STATE", `approval ${id} is ${status}, not pending`, {
    details: { id, status },
  });
}

function invalidInput(message: string): AegisError {
  return new AegisError("AEGIS_ERR_STATE", message);
}
