// The approvals API on the admin port. Humans (and tools acting for them) authenticate with the
// admin bearer token; the API is off when no token is configured. Slack's buttons arrive at the
// interactions endpoint, authenticated by Slack's request signature instead.
import { isAegisError } from "../errors/registry.ts";
import type { IncomingMessage } from "node:http";
import { isAdminRequest, requireAdmin } from "../http/admin-auth.ts";
import { readBody, readJsonBody, sendJson } from "../http/body.ts";
import { HttpError } from "../http/http-error.ts";
import type { Route } from "../http/route.ts";
import type { ApprovalRecord, ApprovalStatus } from "../state/approval-store.ts";
import type { ApprovalsService } from "./approvals-service.ts";
import { handleSlackInteraction } from "./slack-interactions.ts";

export interface ApprovalsApiOptions {
  readonly service: ApprovalsService;
  readonly adminToken: string | undefined;
  readonly slackSigningSecret?: string | undefined;
  readonly onResolved?: (record: ApprovalRecord, how: "approved" | "denied") => void;
  /**
   * The identity of an agent reading its own approval (the same resolution as for checks: JWT,
   * or trusted identity headers). The requesting agent gets its record, and its override token
   * once approved, without the admin token.
   */
  readonly resolveAgent?: (headers: Readonly<Record<string, string>>) => Promise<{ tenant: string; agent: string } | null>;
}

const STATUSES: ReadonlySet<string> = new Set(["pending", "approved", "denied", "expired"]);

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") out[name] = value;
  return out;
}

function body(value: unknown): { approver: string; comment?: string } {
  const v = (value ?? {}) as Record<string, unknown>;
  if (typeof v.approver !== "string" || v.approver.trim() === "") throw new HttpError(400, "invalid_request", "body needs a non-empty \"approver\"");
  if (v.comment !== undefined && typeof v.comment !== "string") throw new HttpError(400, "invalid_request", "\"comment\" must be a string");
  return { approver: v.approver, ...(typeof v.comment === "string" ? { comment: v.comment } : {}) };
}

function mapStateError(err: unknown): never {
  if (isAegisError(err, "AEGIS_ERR_APPROVAL_NOT_FOUND")) throw HttpError.of(err, "approval_not_found");
  if (isAegisError(err, "AEGIS_ERR_APPROVAL_STATE")) throw HttpError.of(err, "approval_not_pending");
  throw err;
}

export function approvalsRoutes(opts: ApprovalsApiOptions): Route[] {
  const { service, adminToken } = opts;
  const routes: Route[] = [];
  if (adminToken !== undefined && adminToken !== "") {
    routes.push(
      {
        method: "GET",
        path: "/v1/approvals",
        handler: async (req, res) => {
          requireAdmin(req, adminToken);
          const q = new URL(req.url ?? "/", "http://admin").searchParams;
          const status = q.get("status") ?? undefined;
          if (status !== undefined && !STATUSES.has(status)) throw new HttpError(400, "invalid_request", `unknown status "${status}"`);
          const approvals = await service.list({
            ...(status === undefined ? {} : { status: status as ApprovalStatus }),
            ...(q.get("tenant") === null ? {} : { tenant: q.get("tenant") as string }),
            ...(q.get("agent") === null ? {} : { agent: q.get("agent") as string }),
          });
          sendJson(res, 200, { approvals });
        },
      },

      {
        method: "POST",
        path: "/v1/approvals/:id/approve",
        handler: async (req, res, params) => {
          requireAdmin(req, adminToken);
          const { approver, comment } = body(await readJsonBody(req));
          const approved = await service.approve(params.id ?? "", approver, comment).catch(mapStateError);
          opts.onResolved?.(approved.record, "approved");
          sendJson(res, 200, { approval: approved.record, override_token: approved.override_token, token_expires_at: approved.token_expires_at });
        },
      },
      {
        method: "POST",
        path: "/v1/approvals/:id/deny",
        handler: async (req, res, params) => {
          requireAdmin(req, adminToken);
          const { approver, comment } = body(await readJsonBody(req));
          const record = await service.deny(params.id ?? "", approver, comment).catch(mapStateError);
          opts.onResolved?.(record, "denied");
          sendJson(res, 200, { approval: record });
        },
      },
    );
  }
  const adminOn = adminToken !== undefined && adminToken !== "";
  if (adminOn || opts.resolveAgent !== undefined) {
    routes.push({
      method: "GET",
      path: "/v1/approvals/:id",
      handler: async (req, res, params) => {
        const isAdmin = adminOn && isAdminRequest(req, adminToken);
        const agent = isAdmin ? null : await opts.resolveAgent?.(headersOf(req));
        if (!isAdmin && (agent === null || agent === undefined)) throw new HttpError(401, "unauthorized", "the admin token or the requesting agent's own identity is required");
        const record = await service.get(params.id ?? "");
        // Another agent's approval reads as absent: ids are not to be probed.
        if (record === undefined || (agent != null && (record.tenant !== agent.tenant || record.agent !== agent.agent))) {
          throw new HttpError(404, "approval_not_found", "no such approval");
        }
        sendJson(res, 200, isAdmin ? record : { ...record, ...service.tokenFor(record) });
      },
    });
  }
  const secret = opts.slackSigningSecret;
  if (secret !== undefined && secret !== "") {
    routes.push({
      method: "POST",
      path: "/v1/slack/interactions",
      handler: async (req, res) => {
        const rawBody = (await readBody(req, 256 * 1024)).toString("utf8");
        let action;
        try {
          action = handleSlackInteraction({ signingSecret: secret, headers: req.headers, rawBody });
        } catch (err) {
          const status = isAegisError(err) && typeof err.details?.status === "number" ? err.details.status : 400;
          throw new HttpError(status, "slack_request_rejected", err instanceof Error ? err.message : String(err));
        }
        const approver = `slack:${action.user.name ?? action.user.id}`;
        if (action.decision === "approve") {
          const approved = await service.approve(action.approvalId, approver).catch(mapStateError);
          opts.onResolved?.(approved.record, "approved");
          // The token goes to the requester through the API, never into a Slack channel.
          sendJson(res, 200, { text: `Approved by <@${action.user.id}>.` });
        } else {
          const record = await service.deny(action.approvalId, approver).catch(mapStateError);
          opts.onResolved?.(record, "denied");
          sendJson(res, 200, { text: `Denied by <@${action.user.id}>.` });
        }
      },
    });
  }
  return routes;
}
