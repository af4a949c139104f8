import type { SQLOutputValue } from "node:sqlite";
import { AegisError } from "../../errors/registry.ts";
import { effectiveStatus, isoTime } from "../approval-record.ts";
import type { ApprovalRecord, ApprovalStatus } from "../approval-store.ts";

type Row = Record<string, SQLOutputValue>;

export function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== "string") throw corrupt(column, value);
  return value;
}

export function optionalText(row: Row, column: string): string | null {
  const value = row[column];
  return value === null ? null : text(row, column);
}

export function num(row: Row, column: string): number {
  const value = row[column];
  if (typeof value !== "number") throw corrupt(column, value);
  return value;
}

export function optionalNum(row: Row, column: string): number | null {
  const value = row[column];
  return value === null ? null : num(row, column);
}

/** Expects the approvals columns plus a computed `queue_position`. */
export function approvalFromRow(row: Row, now: number): ApprovalRecord {
  const expiresAt = num(row, "expires_at");
  const resolvedAt = optionalNum(row, "resolved_at");
  const preview = optionalText(row, "params_preview");
  return {
    id: text(row, "id"),
    tenant: text(row, "tenant"),
    agent: text(row, "agent"),
    tool: text(row, "tool"),
    action: text(row, "action"),
    digest: text(row, "digest"),
    reason: text(row, "reason"),
    rule_id: text(row, "rule_id"),
    policy_version: text(row, "policy_version"),
    created_at: isoTime(num(row, "created_at")),
    expires_at: isoTime(expiresAt),
    status: effectiveStatus(text(row, "status") as ApprovalStatus, expiresAt, now),
    queue_position: optionalNum(row, "queue_position"),
    approver: optionalText(row, "approver"),
    comment: optionalText(row, "comment"),
    resolved_at: resolvedAt === null ? null : isoTime(resolvedAt),
    params_preview: preview === null ? null : (JSON.parse(preview) as Record<string, unknown>),
  };
}

function corrupt(column: string, value: unknown): AegisError {
  return new AegisError("AEGIS_ERR_STATE", `state database column ${column} holds an unexpected ${typeof value}`);
}
