// What both backends share about standing approvals: ids, validation of a new one, and the
// status computed on read (expiry is a time, not an event: nothing needs to sweep it).
import { randomBytes } from "node:crypto";
import { AegisError } from "../errors/registry.ts";
import type { NewStandingApproval, ParamBound, StandingApproval, StandingStatus } from "./standing-approval-store.ts";

/** "sa_" + 128 random bits, base64url: tells itself apart from an approval id in a rule_id. */
export function newStandingId(): string {
  return `sa_${randomBytes(16).toString("base64url")}`;
}

/** How long a standing approval is kept after it expired or was revoked, for audits and the console. */
export const STANDING_RETENTION_MS = 30 * 24 * 3600 * 1000;

export const MAX_STANDING_USES = 1_000_000;

export function assertNewStanding(a: NewStandingApproval): void {
  for (const key of ["tenant", "agent", "tool", "action", "createdBy"] as const) {
    if (typeof a[key] !== "string" || a[key].trim() === "") throw invalid(`a standing approval needs a non-empty ${key}`);
  }
  if (!Number.isInteger(a.uses) || a.uses < 1 || a.uses > MAX_STANDING_USES) throw invalid(`uses must be a whole number from 1 to ${MAX_STANDING_USES}`);
  if (!Number.isFinite(a.now) || !Number.isFinite(a.expiresAt) || a.expiresAt <= a.now) throw invalid("expires_at must lie after now");
  if (!Array.isArray(a.bounds)) throw invalid("bounds must be a list");
  for (const b of a.bounds) assertBound(b);
}

function assertBound(b: ParamBound): void {
  if (typeof b.param !== "string" || b.param === "") throw invalid("a bound names its parameter");
  for (const k of ["min", "max"] as const) if (b[k] !== undefined && !Number.isFinite(b[k])) throw invalid(`bound ${b.param}: ${k} must be a finite number`);
  if (b.in !== undefined && (!Array.isArray(b.in) || b.in.length === 0 || b.in.some((v) => typeof v !== "string" && !(typeof v === "number" && Number.isFinite(v))))) {
    throw invalid(`bound ${b.param}: "in" must list strings or numbers`);
  }
  if (b.min === undefined && b.max === undefined && b.in === undefined) throw invalid(`bound ${b.param} sets nothing`);
}

export function standingStatus(usesLeft: number, expiresAt: number, revokedAt: number | null, now: number): StandingStatus {
  if (revokedAt !== null) return "revoked";
  if (expiresAt <= now) return "expired";
  return usesLeft <= 0 ? "exhausted" : "active";
}

export interface StandingFields {
  readonly id: string;
  readonly tenant: string;
  readonly agent: string;
  readonly tool: string;
  readonly action: string;
  readonly bounds: readonly ParamBound[];
  readonly usesTotal: number;
  readonly usesLeft: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly createdBy: string;
  readonly comment: string | null;
  readonly revokedAt: number | null;
  readonly revokedBy: string | null;
}

export function standingRecord(f: StandingFields, now: number): StandingApproval {
  return {
    id: f.id, tenant: f.tenant, agent: f.agent, tool: f.tool, action: f.action, bounds: f.bounds,
    uses_total: f.usesTotal, uses_left: Math.max(0, f.usesLeft),
    created_at: new Date(f.createdAt).toISOString(), expires_at: new Date(f.expiresAt).toISOString(),
    created_by: f.createdBy, comment: f.comment,
    revoked_at: f.revokedAt === null ? null : new Date(f.revokedAt).toISOString(), revoked_by: f.revokedBy,
    status: standingStatus(f.usesLeft, f.expiresAt, f.revokedAt, now),
  };
}

export function standingNotFound(id: string): AegisError {
  return new AegisError("AEGIS_ERR_APPROVAL_NOT_FOUND", `no standing approval ${id}`, { details: { id } });
}

export function standingAlreadyRevoked(id: string): AegisError {
  return new AegisError("AEGIS_ERR_APPROVAL_STATE", `standing approval ${id} is already revoked`, { details: { id, status: "revoked" } });
}

function invalid(message: string): AegisError {
  return new AegisError("AEGIS_ERR_REQUEST_INVALID", message);
}
