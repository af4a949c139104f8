// The console's routes on the admin port (GET /console/ and its forms). Login exchanges the
// admin token for a session cookie; every POST but the login needs that session, its CSRF token
// and, when the browser sends one, an Origin naming this server.
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { resolveMatching } from "../approvals/batch-resolve.ts";
import { parseBounds } from "../approvals/standing-bounds.ts";
import { AegisError, isAegisError } from "../errors/registry.ts";
import { buildShadowReport } from "../ops/shadow-report.ts";
import { readBody } from "../http/body.ts";
import { HttpError } from "../http/http-error.ts";
import type { Route } from "../http/route.ts";
import { ConsoleSessions, LoginThrottle, sameSecret, sessionCookie, type ConsoleSession } from "./console-session.ts";
import type { ConsoleDeps } from "./console-ports.ts";
import { dashboardPage, loginPage } from "./console-pages.ts";
import { filterDecisions, tailDecisions, type DecisionFilter } from "./recent-decisions.ts";

const ASSETS: Readonly<Record<string, string>> = { "console.css": "text/css; charset=utf-8", "console.js": "text/javascript; charset=utf-8" };
const CSP = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const MAX_FORM_BYTES = 16 * 1024;

function securityHeaders(): Record<string, string> {
  return { "content-security-policy": CSP, "x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "same-origin", "cache-control": "no-store" };
}

function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "content-length": Buffer.byteLength(html), ...securityHeaders(), ...headers });
  res.end(html);
}

function redirect(res: ServerResponse, to: string, headers: Record<string, string> = {}): void {
  res.writeHead(303, { location: to, "content-length": 0, ...securityHeaders(), ...headers });
  res.end();
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") throw new HttpError(415, "unsupported_media_type", "console forms are application/x-www-form-urlencoded");
  return new URLSearchParams((await readBody(req, MAX_FORM_BYTES)).toString("utf8"));
}

/** A browser's Origin, when sent, must be this server: a cross-site form post is refused before anything else. */
function checkOrigin(req: IncomingMessage): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  const host = req.headers.host ?? "";
  let ok = false;
  try {
    ok = origin !== "null" && new URL(origin).host === host;
  } catch {
    ok = false;
  }
  if (!ok) throw new HttpError(403, "cross_origin", "console forms must come from the console itself");
}

const isSecure = (req: IncomingMessage) => req.headers["x-forwarded-proto"] === "https";

function field(form: URLSearchParams, name: string, max = 200): string {
  const v = (form.get(name) ?? "").trim();
  if (v.length > max) throw new HttpError(400, "invalid_request", `"${name}" is longer than ${max} characters`);
  return v;
}

function intField(form: URLSearchParams, name: string, min: number, max: number): number {
  const raw = field(form, name, 12);
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new HttpError(400, "invalid_request", `"${name}" must be a whole number from ${min} to ${max}`);
  return n;
}

function boundsField(form: URLSearchParams) {
  try {
    return parseBounds(field(form, "bounds", 4000).split("\n"));
  } catch (err) {
    if (isAegisError(err, "AEGIS_ERR_USAGE")) throw new HttpError(400, "invalid_request", err.message);
    throw err;
  }
}

export function consoleRoutes(deps: ConsoleDeps): Route[] {
  const now = deps.now ?? Date.now;
  const sessions = new ConsoleSessions(now);
  const throttle = new LoginThrottle(now);

  /** The session of a state-changing request: origin, session and CSRF token, in that order. */
  const guarded = async (req: IncomingMessage): Promise<{ session: ConsoleSession; form: URLSearchParams; user: string }> => {
    checkOrigin(req);
    const session = sessions.fromRequest(req);
    if (session === null) throw new HttpError(401, "unauthorized", "sign in to the console first");
    const form = await readForm(req);
    if (!sameSecret(form.get("csrf") ?? "", session.csrf)) throw new HttpError(403, "csrf_token_invalid", "the form's CSRF token is missing or wrong; reload the console");
    return { session, form, user: session.user };
  };
  const done = (res: ServerResponse, session: ConsoleSession, message: string, anchor: string) => {
    session.flash = message;
    redirect(res, `/console/#${anchor}`);
  };
  /** Known refusals become a flash message on the page; anything else is the admin port's error answer. */
  const orFlash = async (res: ServerResponse, session: ConsoleSession, anchor: string, fn: () => Promise<string>) => {
    try {
      done(res, session, await fn(), anchor);
    } catch (err) {
      if (err instanceof HttpError && err.status === 400) return done(res, session, err.message, anchor);
      if (isAegisError(err, "AEGIS_ERR_APPROVAL_NOT_FOUND") || isAegisError(err, "AEGIS_ERR_APPROVAL_STATE") || isAegisError(err, "AEGIS_ERR_BUNDLE_HISTORY")) return done(res, session, err.message, anchor);
      throw err;
    }
  };

  const standing = () => {
    if (deps.standing === null) throw new HttpError(404, "not_found", "standing approvals are not available on this server");
    return deps.standing;
  };

  return [
    { method: "GET", path: "/console", handler: async (_req, res) => redirect(res, "/console/") },
    {
      method: "GET",
      path: "/console/assets/:name",
      handler: async (_req, res, params) => {
        const name = params.name ?? "";
        const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
        if (type === undefined) throw new HttpError(404, "not_found", "no such asset");
        const body = readFileSync(new URL(`./assets/${name}`, import.meta.url));
        res.writeHead(200, { "content-type": type, "content-length": body.length, ...securityHeaders(), "cache-control": "max-age=300" });
        res.end(body);
      },
    },
    {
      method: "GET",
      path: "/console/",
      handler: async (req, res) => {
        const session = sessions.fromRequest(req);
        if (session === null) return sendHtml(res, 200, loginPage(null));
        const q = new URL(req.url ?? "/", "http://admin").searchParams;
        const filter: DecisionFilter = Object.fromEntries((["agent", "tool", "outcome", "reason"] as const).flatMap((k) => (q.get(k) ? [[k, q.get(k) as string]] : [])));
        const all = deps.decisionLogPath === null ? null : tailDecisions(deps.decisionLogPath);
        const flash = session.flash;
        session.flash = null;
        sendHtml(res, 200, dashboardPage({
          user: session.user, csrf: session.csrf, flash, now: now(),
          pending: await deps.approvals.list({ status: "pending" }),
          standing: deps.standing === null ? null : await deps.standing.list({}),
          decisions: all === null ? null : filterDecisions(all, filter),
          filter, bundle: deps.bundle, shadow: all === null ? null : buildShadowReport(all),
        }));
      },
    },
    {
      method: "POST",
      path: "/console/login",
      handler: async (req, res) => {
        checkOrigin(req);
        const address = req.socket.remoteAddress ?? "unknown";
        const wait = throttle.retryAfterMs(address);
        if (wait > 0) return sendHtml(res, 429, loginPage("Too many failed sign-ins from this address; try again in a minute."), { "retry-after": String(Math.ceil(wait / 1000)) });
        const form = await readForm(req);
        const name = field(form, "name", 100);
        if (!sameSecret(form.get("token") ?? "", deps.adminToken) || name === "") {
          throttle.fail(address);
          return sendHtml(res, 401, loginPage("Wrong admin token, or no name given."));
        }
        const session = sessions.create(name);
        redirect(res, "/console/", { "set-cookie": sessionCookie(session, isSecure(req)) });
      },
    },
    {
      method: "POST",
      path: "/console/logout",
      handler: async (req, res) => {
        const { session } = await guarded(req);
        sessions.end(session);
        redirect(res, "/console/", { "set-cookie": sessionCookie(null, isSecure(req)) });
      },
    },
    {
      method: "POST",
      path: "/console/approvals/:id/approve",
      handler: async (req, res, params) => {
        const { session, user } = await guarded(req);
        await orFlash(res, session, "pending", async () => {
          const approved = await deps.approvals.approve(params.id ?? "", user);
          deps.onResolved?.(approved.record, "approved");
          return `Approved ${approved.record.agent} ${approved.record.tool}.${approved.record.action}: the agent's retry with its override token goes through once.`;
        });
      },
    },
    {
      method: "POST",
      path: "/console/approvals/:id/deny",
      handler: async (req, res, params) => {
        const { session, user } = await guarded(req);
        await orFlash(res, session, "pending", async () => {
          const record = await deps.approvals.deny(params.id ?? "", user);
          deps.onResolved?.(record, "denied");
          return `Denied ${record.agent} ${record.tool}.${record.action}.`;
        });
      },
    },
    {
      method: "POST",
      path: "/console/approvals/:id/standing",
      handler: async (req, res, params) => {
        const { session, form, user } = await guarded(req);
        await orFlash(res, session, "standing", async () => {
          const port = standing();
          const uses = intField(form, "uses", 1, 100_000);
          const hours = intField(form, "expires_in_hours", 1, 720);
          const bounds = boundsField(form);
          const record = await deps.approvals.get(params.id ?? "");
          if (record === undefined) throw new AegisError("AEGIS_ERR_APPROVAL_NOT_FOUND", "no such approval");
          // The pending call itself is approved too; the standing approval covers the ones after it.
          const approved = await deps.approvals.approve(record.id, user, "approved as standing");
          deps.onResolved?.(approved.record, "approved");
          const created = await port.create({ tenant: record.tenant, agent: record.agent, tool: record.tool, action: record.action, bounds, uses, expiresAt: now() + hours * 3600_000, createdBy: user });
          return `Approved, and standing approval ${created.id} lets ${uses} more matching calls through until ${created.expires_at}.`;
        });
      },
    },
    {
      method: "POST",
      path: "/console/approvals/batch",
      handler: async (req, res) => {
        const { session, form, user } = await guarded(req);
        await orFlash(res, session, "pending", async () => {
          const decision = field(form, "decision");
          if (decision !== "approve" && decision !== "deny") throw new HttpError(400, "invalid_request", "decision must be approve or deny");
          const filter = Object.fromEntries((["agent", "tool", "action"] as const).flatMap((k) => (field(form, k) === "" ? [] : [[k, field(form, k)]])));
          if (Object.keys(filter).length === 0) throw new HttpError(400, "invalid_request", "Name at least an agent, a tool or an action for a batch action.");
          const result = await resolveMatching(deps.approvals, filter, decision, user, "batch action in the console", deps.onResolved);
          return `${decision === "approve" ? "Approved" : "Denied"} ${result.resolved.length} pending approvals${result.skipped.length > 0 ? ` (${result.skipped.length} were resolved meanwhile)` : ""}.`;
        });
      },
    },
    {
      method: "POST",
      path: "/console/standing",
      handler: async (req, res) => {
        const { session, form, user } = await guarded(req);
        await orFlash(res, session, "standing", async () => {
          const port = standing();
          const spec = { tenant: field(form, "tenant"), agent: field(form, "agent"), tool: field(form, "tool"), action: field(form, "action") };
          if (Object.values(spec).some((v) => v === "")) throw new HttpError(400, "invalid_request", "tenant, agent, tool and action are required");
          const uses = intField(form, "uses", 1, 100_000);
          const hours = intField(form, "expires_in_hours", 1, 720);
          const created = await port.create({ ...spec, bounds: boundsField(form), uses, expiresAt: now() + hours * 3600_000, createdBy: user });
          return `Standing approval ${created.id} created.`;
        });
      },
    },
    {
      method: "POST",
      path: "/console/standing/:id/revoke",
      handler: async (req, res, params) => {
        const { session, user } = await guarded(req);
        await orFlash(res, session, "standing", async () => {
          const revoked = await standing().revoke(params.id ?? "", user);
          return `Standing approval ${revoked.id} revoked.`;
        });
      },
    },
    {
      method: "POST",
      path: "/console/bundle/rollback",
      handler: async (req, res) => {
        const { session, form, user } = await guarded(req);
        await orFlash(res, session, "bundle", async () => {
          if (deps.bundle === null) throw new HttpError(404, "not_found", "bundle history is not available");
          const revision = field(form, "revision");
          if (revision === "") throw new HttpError(400, "invalid_request", "revision is required");
          await deps.bundle.rollback(revision, user);
          return `Rolled back to revision ${revision}.`;
        });
      },
    },
  ];
}
