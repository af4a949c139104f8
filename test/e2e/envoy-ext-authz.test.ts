// End to end through a real Envoy (the shipped sidecar config) with the ext_authz filter, a real
// `aegis serve` process and a real upstream: what agents and tools actually see.
import { cpSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aegis } from "../support/cli.ts";
import { startAegisProcess, type RunningAegisProcess } from "../support/aegis-server.ts";
import { startEnvoy, type RunningEnvoy } from "../support/envoy.ts";
import { httpRequest } from "../support/http.ts";
import { REPO_ROOT } from "../support/opa.ts";
import { startUpstream, type RunningUpstream } from "../support/upstream.ts";

const ADMIN_TOKEN = "e2e-admin-token";
const FINANCE = { "x-aegis-tenant": "acme", "x-aegis-agent": "finance-agent", "content-type": "application/json" };
const DOCS = { "x-aegis-tenant": "acme", "x-aegis-agent": "docs-agent", "content-type": "application/json" };
const PLANNER = { "x-aegis-tenant": "acme", "x-aegis-agent": "planner" };

let work: string;
let policies: string;
let bundle: string;
let upstream: RunningUpstream;
let server: RunningAegisProcess;
let envoy: RunningEnvoy;

function build(): void {
  // Build beside the watched file, then rename over it: the watcher never sees half a bundle.
  const r = aegis(["build", policies, "-o", `${bundle}.next`]);
  expect(r.code, r.stderr).toBe(0);
  renameSync(`${bundle}.next`, bundle);
}

function pay(amount: unknown, headers: Record<string, string> = {}) {
  return httpRequest({ port: envoy.port, host: "api.stripe.com", method: "POST", path: "/v1/payment_intents", headers: { ...FINANCE, ...headers }, body: JSON.stringify({ amount, currency: "eur" }) });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "aegis-e2e-"));
  policies = join(work, "policies");
  cpSync(join(REPO_ROOT, "policies", "examples"), policies, { recursive: true });
  bundle = join(work, "bundle.tar.gz");
  build();
  upstream = await startUpstream();
  server = await startAegisProcess({
    args: ["--bundle", bundle, "--state", `sqlite:${join(work, "state.db")}`, "--admin-token", ADMIN_TOKEN, "--trust-identity-headers"],
    env: { AEGIS_BUNDLE_POLL_INTERVAL_MS: "500", AEGIS_APPROVALS_SELF_READ_TRUSTS_IDENTITY_HEADERS: "true" },
  });
  envoy = await startEnvoy({ aegisPort: server.grpcPort, upstreamPort: upstream.port });
});

afterAll(async () => {
  await envoy?.stop();
  await server?.stop();
  await upstream?.close();
});

describe("through Envoy's ext_authz filter", () => {
  it("lets an allowed call reach the upstream, carrying the decision id and policy version", async () => {
    const before = upstream.received.length;
    const res = await pay(120);
    expect(res.status, res.body).toBe(200);
    const reached = upstream.received.slice(before);
    expect(reached).toHaveLength(1);
    expect(reached[0]?.headers["x-aegis-decision-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(reached[0]?.headers["x-aegis-policy-version"]).toMatch(/^[0-9a-f]{16}$/);
    expect(reached[0]?.headers["x-aegis-budget-remaining"]).toBeDefined();
    expect(JSON.parse(reached[0]?.body ?? "{}")).toEqual({ amount: 120, currency: "eur" });
  });

  it("refuses a denied call with a 403 PolicyViolation body, and the upstream never sees it", async () => {
    const before = upstream.received.length;
    const res = await pay(60_000);
    expect(res.status).toBe(403);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(res.body)).toMatchObject({ error: "PolicyViolation", reason: "blocked_over_hard_limit", rule_id: "acme/finance-agent/allowed_tools/stripe-payments/conditions/hard_limit" });
    expect(JSON.parse(res.body).decision_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(upstream.received.length).toBe(before);
  });

  it("answers an unparseable body with 400 invalid_request", async () => {
    const res = await httpRequest({ port: envoy.port, host: "api.stripe.com", method: "POST", path: "/v1/payment_intents", headers: FINANCE, body: "{not json" });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: "invalid_request" });
  });

  it("refuses a host off the tenant's egress allowlist", async () => {
    const res = await httpRequest({ port: envoy.port, host: "exfil.example.com", method: "GET", path: "/", headers: PLANNER });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ reason: "egress_denied" });
  });

  it("maps a call without route metadata through the tools catalog", async () => {
    const res = await httpRequest({ port: envoy.port, host: "calendar.acme.internal", method: "GET", path: "/v1/calendars/team/events?from=today", headers: PLANNER });
    expect(res.status, res.body).toBe(200);
  });

  it("judges an MCP tools/call on its tool name and arguments, and redacts what the tool's sanitize block names", async () => {
    const call = (name: string) => httpRequest({
      port: envoy.port, host: "mcp.docs.acme.internal", method: "POST", path: "/mcp?token=s3cret",
      headers: { ...DOCS, "x-api-key": "key-123" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: { id: "handbook" } } }),
    });
    const before = upstream.received.length;
    const read = await call("read_document");
    expect(read.status, read.body).toBe(200);
    const seen = upstream.received[before];
    expect(seen?.headers["x-api-key"]).toBeUndefined();
    expect(seen?.url).toBe("/mcp?token=%5BREDACTED%5D");
    const write = await call("write_document");
    expect(write.status).toBe(403);
    expect(JSON.parse(write.body)).toMatchObject({ reason: "action_not_allowed" });
    expect(upstream.received.length).toBe(before + 1);
  });

  it("holds a call for approval, lets exactly that call through once with the override token, then refuses the replay", async () => {
    const pending = await pay(7000);
    expect(pending.status).toBe(403);
    const body = JSON.parse(pending.body) as { error: string; approval_id: string; reason: string; expires_at: string; decision_id: string };
    expect(body).toMatchObject({ error: "approval_pending", reason: "approval_needed" });
    expect(Date.parse(body.expires_at)).toBeGreaterThan(Date.now());

    const again = JSON.parse((await pay(7000)).body) as { approval_id: string };
    expect(again.approval_id).toBe(body.approval_id);

    const unauthenticated = await fetch(`${server.adminUrl}/v1/approvals/${body.approval_id}/approve`, { method: "POST", body: "{}" });
    expect(unauthenticated.status).toBe(401);
    const approve = await fetch(`${server.adminUrl}/v1/approvals/${body.approval_id}/approve`, {
      method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" }, body: JSON.stringify({ approver: "alice@acme", comment: "vendor invoice" }),
    });
    expect(approve.status).toBe(200);
    const { override_token } = (await approve.json()) as { override_token: string };

    const otherCall = await pay(7001, { "x-aegis-override-token": override_token });
    expect(otherCall.status).toBe(403);
    const before = upstream.received.length;
    const through = await pay(7000, { "x-aegis-override-token": override_token });
    expect(through.status, through.body).toBe(200);
    expect(upstream.received[before]?.headers["x-aegis-override-token"]).toBeUndefined();
    const replay = await pay(7000, { "x-aegis-override-token": override_token });
    expect(replay.status).toBe(403);
    expect(JSON.parse(replay.body)).toMatchObject({ error: "PolicyViolation", reason: "override_token_used" });
  });

  it("lets the requesting agent read its own approval and token with its own identity, and the CLI approve it", async () => {
    const pending = JSON.parse((await pay(8000)).body) as { approval_id: string };
    const own = (headers: Record<string, string>) => fetch(`${server.adminUrl}/v1/approvals/${pending.approval_id}`, { headers });
    const asAgent = { "x-aegis-tenant": "acme", "x-aegis-agent": "finance-agent" };
    expect(((await (await own(asAgent)).json()) as { status: string; override_token?: string })).toMatchObject({ status: "pending" });
    expect((await own({ "x-aegis-tenant": "acme", "x-aegis-agent": "planner" })).status).toBe(404);
    expect((await own({})).status).toBe(401);

    const listed = aegis(["approvals", "list", "--status", "pending", "--server", server.adminUrl, "--admin-token", ADMIN_TOKEN]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(pending.approval_id);
    const approved = aegis(["approvals", "approve", pending.approval_id, "--approver", "bob@acme", "--server", server.adminUrl, "--admin-token", ADMIN_TOKEN, "--json"]);
    expect(approved.code, approved.stderr).toBe(0);
    const fromCli = (JSON.parse(approved.stdout) as { override_token: string }).override_token;
    const again = aegis(["approvals", "deny", pending.approval_id, "--approver", "bob@acme", "--server", server.adminUrl, "--admin-token", ADMIN_TOKEN]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/AEGIS_ERR_APPROVAL_STATE: 409/);

    const read = (await (await own(asAgent)).json()) as { status: string; override_token: string };
    expect(read.status).toBe("approved");
    expect(read.override_token).toBe(fromCli);
    expect((await pay(8000, { "x-aegis-override-token": read.override_token })).status).toBe(200);
  });

  it("swaps in a rebuilt bundle while 1,000 requests flow, with zero failed requests", async () => {
    const revision = async () => ((await (await fetch(`${server.adminUrl}/readyz`)).json()) as { bundle: { revision: string } }).bundle.revision;
    const initial = await revision();
    const statuses = new Map<number, number>();
    let errors = 0;
    const listEvents = () => httpRequest({ port: envoy.port, host: "calendar.acme.internal", method: "GET", path: "/v1/calendars/team/events", headers: PLANNER });
    let sent = 0;
    const worker = async () => {
      while (sent < 1000) {
        sent++;
        try {
          const r = await listEvents();
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        } catch {
          errors++;
        }
      }
    };
    const flow = Promise.all(Array.from({ length: 8 }, worker));
    await new Promise((r) => setTimeout(r, 150));
    const planner = join(policies, "planner", "policy.yaml");
    writeFileSync(planner, readFileSync(planner, "utf8").replace("actions: [list_events]", "actions: [list_calendars]"));
    build();
    await flow;
    expect(errors).toBe(0);
    expect([...statuses.keys()].every((s) => s === 200 || s === 403), JSON.stringify([...statuses])).toBe(true);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(1000);
    // The new revision is live and decides by the new policy.
    for (let i = 0; i < 50 && (await revision()) === initial; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await revision()).not.toBe(initial);
    const after = await listEvents();
    expect(after.status).toBe(403);
    expect(JSON.parse(after.body)).toMatchObject({ reason: "action_not_allowed" });
  }, 120_000);

  it("keeps the last good bundle when a corrupt one replaces it, and says why in /readyz", async () => {
    const good = ((await (await fetch(`${server.adminUrl}/readyz`)).json()) as { bundle: { revision: string } }).bundle.revision;
    writeFileSync(`${bundle}.next`, "this is not a bundle");
    renameSync(`${bundle}.next`, bundle);
    type Ready = { ready: boolean; bundle: { revision: string; last_error: { code: string } | null } };
    let ready: Ready | null = null;
    for (let i = 0; i < 50; i++) {
      ready = (await (await fetch(`${server.adminUrl}/readyz`)).json()) as Ready;
      if (ready?.bundle.last_error !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(ready?.ready).toBe(true);
    expect(ready?.bundle.revision).toBe(good);
    expect(ready?.bundle.last_error?.code).toBe("AEGIS_ERR_BUNDLE_READ");
    const metrics = await (await fetch(`${server.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/aegis_bundle_load_errors_total\{code="AEGIS_ERR_BUNDLE_READ"\} [1-9]/);
    expect((await pay(10)).status).toBe(200);
    build();
  });

  it("fails closed when Aegis is down", async () => {
    const before = upstream.received.length;
    await server.stop();
    const res = await pay(10);
    expect(res.status).toBe(503);
    expect(upstream.received.length).toBe(before);
  });
});
