// Standing approvals and batch actions on the admin port, behind the admin bearer token:
//   GET  /v1/standing-approvals[?tenant=&agent=&status=]     POST /v1/standing-approvals
//   GET  /v1/standing-approvals/:id                          POST /v1/standing-approvals/:id/revoke
//   POST /v1/approvals/batch   (approve or deny every pending approval matching a filter)
import { isAegisError } from "../errors/registry.ts";
import { requireAdmin } from "../http/admin-auth.ts";
import { readJsonBody, sendJson } from "../http/body.ts";
import { HttpError } from "../http/http-error.ts";
import type { Route } from "../http/route.ts";
import type { ApprovalRecord } from "../state/approval-store.ts";
import type { ParamBound, StandingStatus } from "../state/standing-approval-store.ts";
import { assertNewStanding } from "../state/standing-record.ts";
import type { ApprovalsService } from "./approvals-service.ts";
import { resolveMatching, type BatchFilter } from "./batch-resolve.ts";
import { parseBounds } from "./standing-bounds.ts";
import type { StandingApprovalsService } from "./standing-approvals.ts";

export interface StandingApiOptions {
  readonly standing: StandingApprovalsService;
  readonly approvals: ApprovalsService;
  readonly adminToken: string;
  readonly onResolved?: (record: ApprovalRecord, how: "approved" | "denied") => void;
  readonly now?: () => number;
}

const STATUSES: ReadonlySet<string> = new Set(["active", "exhausted", "expired", "revoked"]);
const MAX_EXPIRY_SECONDS = 90 * 86_400;

function object(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new HttpError(400, "invalid_request", "the body must be a JSON object");
  return value as Record<string, unknown>;
}

function str(body: Record<string, unknown>, key: string, required = true): string | undefined {
  const v = body[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== "string" || v.trim() === "" || v.length > 200) throw new HttpError(400, "invalid_request", `"${key}" must be a non-empty string of at most 200 characters`);
  return v;
}

/** Bounds as a list of {param, min, max, in} objects, or as the CLI's strings ("amount<=8000"). */
function bounds(value: unknown): ParamBound[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > 50) throw new HttpError(400, "invalid_request", '"bounds" must be a list (at most 50)');
  try {
    if (value.every((b) => typeof b === "string")) return parseBounds(value as string[]);
  } catch (err) {
    if (isAegisError(err)) throw new HttpError(400, "invalid_request", err.message);
    throw err;
  }
  return value.map((b) => {
    const o = object(b);
    const known = new Set(["param", "min", "max", "in"]);
    const extra = Object.keys(o).find((k) => !known.has(k));
    if (extra !== undefined) throw new HttpError(400, "invalid_request", `a bound has no field "${extra}"`);
    return o as unknown as ParamBound;
  });
}

export function standingRoutes(opts: StandingApiOptions): Route[] {
  const { standing, adminToken } = opts;
  const now = opts.now ?? Date.now;
  const stateError = (err: unknown): never => {
    if (isAegisError(err, "AEGIS_ERR_APPROVAL_NOT_FOUND")) throw HttpError.of(err, "standing_approval_not_found");
    if (isAegisError(err, "AEGIS_ERR_APPROVAL_STATE")) throw HttpError.of(err, "standing_approval_revoked");
    throw err;
  };
  return [
    {
      method: "GET",
      path: "/v1/standing-approvals",
      handler: async (req, res) => {
        requireAdmin(req, adminToken);
        const q = new URL(req.url ?? "/", "http://admin").searchParams;
        const status = q.get("status");
        if (status !== null && !STATUSES.has(status)) throw new HttpError(400, "invalid_request", `unknown status "${status}"`);
        const list = await standing.list({
          ...(status === null ? {} : { status: status as StandingStatus }),
          ...(q.get("tenant") === null ? {} : { tenant: q.get("tenant") as string }),
          ...(q.get("agent") === null ? {} : { agent: q.get("agent") as string }),
        });
        sendJson(res, 200, { standing_approvals: list });
      },
    },
    {
      method: "POST",
      path: "/v1/standing-approvals",
      handler: async (req, res) => {
        requireAdmin(req, adminToken);
        const body = object(await readJsonBody(req));
        const uses = body.uses;
        const expiresIn = body.expires_in_seconds;
        if (typeof expiresIn !== "number" || !Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_EXPIRY_SECONDS) {
          throw new HttpError(400, "invalid_request", `"expires_in_seconds" must be a whole number from 1 to ${MAX_EXPIRY_SECONDS}`);
        }
        const spec = {
          tenant: str(body, "tenant") as string, agent: str(body, "agent") as string, tool: str(body, "tool") as string, action: str(body, "action") as string,
          bounds: bounds(body.bounds), uses: uses as number, expiresAt: now() + expiresIn * 1000, createdBy: str(body, "created_by") as string,
          ...(str(body, "comment", false) === undefined ? {} : { comment: body.comment as string }),
        };
        try {
          assertNewStanding({ ...spec, now: now() });
        } catch (err) {
          if (isAegisError(err, "AEGIS_ERR_REQUEST_INVALID")) throw HttpError.of(err, "invalid_request");
          throw err;
        }
        sendJson(res, 201, { standing_approval: await standing.create(spec) });
      },
    },
    {
      method: "GET",
      path: "/v1/standing-approvals/:id",
      handler: async (req, res, params) => {
        requireAdmin(req, adminToken);
        const record = await standing.get(params.id ?? "");
        if (record === undefined) throw new HttpError(404, "standing_approval_not_found", "no such standing approval");
        sendJson(res, 200, record);
      },
    },
    {
      method: "POST",
      path: "/v1/standing-approvals/:id/revoke",
      handler: async (req, res, params) => {
        requireAdmin(req, adminToken);
        const by = str(object(await readJsonBody(req)), "by") as string;
        sendJson(res, 200, { standing_approval: await standing.revoke(params.id ?? "", by).catch(stateError) });
      },
    },
    {
      method: "POST",
      path: "/v1/approvals/batch",
      handler: async (req, res) => {
        requireAdmin(req, adminToken);
        const body = object(await readJsonBody(req));
        const decision = body.decision;
        if (decision !== "approve" && decision !== "deny") throw new HttpError(400, "invalid_request", '"decision" must be "approve" or "deny"');
        const filterBody = object(body.filter ?? {});
        const filter: Record<string, string> = {};
        for (const key of ["tenant", "agent", "tool", "action"] as const) {
          const v = str(filterBody, key, false);
          if (v !== undefined) filter[key] = v;
        }
        const unknown = Object.keys(filterBody).find((k) => !["tenant", "agent", "tool", "action"].includes(k));
        if (unknown !== undefined) throw new HttpError(400, "invalid_request", `the filter has no field "${unknown}"`);
        // An empty filter would resolve the whole queue: it must be asked for by name.
        if (Object.keys(filter).length === 0 && body.all !== true) throw new HttpError(400, "invalid_request", 'an empty filter resolves every pending approval: send "all": true to mean it');
        const approver = str(body, "approver") as string;
        const comment = str(body, "comment", false);
        const result = await resolveMatching(opts.approvals, filter as BatchFilter, decision, approver, comment, opts.onResolved);
        sendJson(res, 200, { resolved: result.resolved, skipped: result.skipped });
      },
    },
  ];
}
