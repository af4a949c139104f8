// Shared by the runtime-control tests: bundles built from the example policies, `aegis serve`
// processes with a per-test config file, the finance agent's payment as a CheckRequest, and the
// approvals admin API. Everything lives in a temp dir per test file; nothing touches ./data.
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { expect } from "vitest";
import { checkRequest } from "../support/check-request-builder.ts";
import type { CheckRequest } from "../../src/grpc/ext-authz-types.ts";
import { HEADER } from "../../src/input/header-names.ts";
import { startAegisProcess, type RunningAegisProcess } from "../support/aegis-server.ts";
import { aegis } from "../support/cli.ts";
import { REPO_ROOT } from "../support/opa.ts";

export const ADMIN_TOKEN = "runtime-admin-token";

export function workDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `aegis-runtime-${prefix}-`));
}

/**
 * Copies policies/examples to `work/<name>-policies`, lets `edit` change the copy, and builds it
 * to `work/<name>.tar.gz`.
 */
export function buildBundle(work: string, name = "bundle", edit?: (policiesDir: string) => void): string {
  const policies = join(work, `${name}-policies`);
  cpSync(join(REPO_ROOT, "policies", "examples"), policies, { recursive: true });
  edit?.(policies);
  const bundle = join(work, `${name}.tar.gz`);
  const built = aegis(["build", policies, "-o", bundle]);
  expect(built.code, built.stderr).toBe(0);
  return bundle;
}

/**
 * An aegis.yaml in `work`. The override-token secret sits in `work` too, so replicas given the
 * same file mint and accept the same tokens.
 */
export function writeConfig(work: string, name: string, config: Record<string, unknown> = {}): string {
  const approvals = (config.approvals ?? {}) as Record<string, unknown>;
  const path = join(work, `${name}.yaml`);
  writeFileSync(path, stringify({ ...config, approvals: { token_secret_file: join(work, "override-token.key"), ...approvals } }));
  return path;
}

export interface ServeOptions {
  readonly bundle: string;
  /** sqlite:PATH or redis://HOST:PORT */
  readonly state: string;
  readonly config: string;
  readonly args?: readonly string[];
  readonly env?: Record<string, string>;
}

/** Lets the agent read its own approval on the admin port by the identity headers too (off by default). */
export const SELF_READ_BY_HEADERS = { AEGIS_APPROVALS_SELF_READ_TRUSTS_IDENTITY_HEADERS: "true" } as const;

/** `aegis serve` trusting identity headers, with the approvals API on. */
export function serve(opts: ServeOptions): Promise<RunningAegisProcess> {
  return startAegisProcess({
    args: ["--bundle", opts.bundle, "--state", opts.state, "--config", opts.config, "--trust-identity-headers", "--admin-token", ADMIN_TOKEN, ...(opts.args ?? [])],
    ...(opts.env === undefined ? {} : { env: opts.env }),
  });
}

export function identity(agent: string, tenant = "acme"): Record<string, string> {
  return { [HEADER.tenant]: tenant, [HEADER.agent]: agent };
}

/** The finance agent's stripe-payments create_payment, as Envoy's route for it would send it. */
export function payment(amount: unknown, headers: Record<string, string> = {}, agent = "finance-agent"): CheckRequest {
  return checkRequest({
    method: "POST",
    host: "api.stripe.com",
    path: "/v1/payment_intents",
    headers: { ...identity(agent), "content-type": "application/json", ...headers },
    body: JSON.stringify({ amount, currency: "eur" }),
    contextExtensions: { tool: "stripe-payments", action: "create_payment" },
  });
}

function adminFetch(server: RunningAegisProcess, path: string, method = "GET", body?: unknown): Promise<Response> {
  return fetch(`${server.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

export async function approve(server: RunningAegisProcess, approvalId: string): Promise<string> {
  const res = await adminFetch(server, `/v1/approvals/${encodeURIComponent(approvalId)}/approve`, "POST", { approver: "alice@acme", comment: "runtime test" });
  const body = (await res.json()) as { override_token?: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body.override_token).toMatch(/^aegis_ot_/);
  return body.override_token as string;
}

export interface ListedApproval {
  readonly id: string;
  readonly agent: string;
  readonly status: string;
  readonly digest: string;
}

export async function pendingApprovals(server: RunningAegisProcess): Promise<ListedApproval[]> {
  const res = await adminFetch(server, "/v1/approvals?status=pending");
  expect(res.status).toBe(200);
  return ((await res.json()) as { approvals: ListedApproval[] }).approvals;
}

/** The sum of a Prometheus metric's samples whose labels include `labels`, from /metrics; 0 when none. */
export async function metricValue(server: RunningAegisProcess, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${server.adminUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)\{([^}]*)\} (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

/** The JSON objects of a JSON-lines text (pino output, a decision log); other lines are skipped. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text.split("\n").filter((l) => l.startsWith("{")).map((l) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      return {};
    }
  });
}

export function logLines(server: RunningAegisProcess, msg: string): Record<string, unknown>[] {
  return jsonLines(server.logs()).filter((l) => l.msg === msg);
}

/** Polls until `accept` holds; the default timeout allows for a loaded machine. */
export async function eventually<T>(probe: () => T | Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await probe();
  }
  return last;
}
