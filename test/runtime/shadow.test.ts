// Shadow mode in real processes. (a) `aegis serve --shadow`: through Envoy every call gets through,
// while the decision log and the metrics carry the real decision (would_deny / would_need_approval).
// (b) `mode: shadow` on one agent or one tenant: only their calls are let through. (c) `--shadow-bundle`:
// the enforced answer is served, and every check the stricter candidate decides differently is
// counted and logged with both decisions.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HEADER } from "../../src/input/header-names.ts";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { startEnvoy, type RunningEnvoy } from "../support/envoy.ts";
import { connectCheckClient, type CheckClient } from "../support/grpc-check-client.ts";
import { httpRequest } from "../support/http.ts";
import { startUpstream, type RunningUpstream } from "../support/upstream.ts";
import { approve, buildBundle, eventually, identity, jsonLines, logLines, metricValue, payment, pendingApprovals, serve, workDir, writeConfig } from "./runtime-harness.ts";

function editPolicy(policies: string, agent: string, edit: (yaml: string) => string): void {
  const file = join(policies, agent, "policy.yaml");
  const before = readFileSync(file, "utf8");
  const after = edit(before);
  expect(after, `edit of ${agent}`).not.toBe(before);
  writeFileSync(file, after);
}

interface Sidecar {
  readonly server: RunningAegisProcess;
  readonly envoy: RunningEnvoy;
  readonly upstream: RunningUpstream;
  readonly decisionLog: string;
}

async function startSidecar(work: string, bundle: string, args: readonly string[] = []): Promise<Sidecar> {
  const decisionLog = join(work, "decisions.log");
  const upstream = await startUpstream();
  const server = await serve({ bundle, state: `sqlite:${join(work, "state.db")}`, config: writeConfig(work, "aegis"), args: ["--decision-log", decisionLog, ...args] });
  const envoy = await startEnvoy({ aegisPort: server.grpcPort, upstreamPort: upstream.port });
  return { server, envoy, upstream, decisionLog };
}

async function stopSidecar(s: Sidecar | undefined): Promise<void> {
  await s?.envoy.stop();
  await s?.server.stop();
  await s?.upstream.close();
}

function pay(s: Sidecar, amount: number, agent = "finance-agent") {
  return httpRequest({
    port: s.envoy.port, host: "api.stripe.com", method: "POST", path: "/v1/payment_intents",
    headers: { ...identity(agent), "content-type": "application/json" }, body: JSON.stringify({ amount, currency: "eur" }),
  });
}

/** The call reached the tool; resolves the decision-log line of its decision. */
async function expectThroughAndLogged(s: Sidecar, res: { status: number; body: string }, reachedBefore: number): Promise<Record<string, unknown>> {
  expect(res.status, res.body).toBe(200);
  expect(s.upstream.received.length).toBe(reachedBefore + 1);
  const decisionId = s.upstream.received[reachedBefore]?.headers[HEADER.decisionId];
  const line = await eventually(
    () => jsonLines(readFileSync(s.decisionLog, "utf8")).find((l) => l.decision_id === decisionId),
    (l) => l !== undefined,
    `decision ${String(decisionId)} in the decision log`,
  );
  return line ?? {};
}

describe("--shadow: the whole server in shadow mode", () => {
  let s: Sidecar;
  beforeAll(async () => {
    const work = workDir("shadow-global");
    s = await startSidecar(work, buildBundle(work), ["--shadow"]);
  });
  afterAll(() => stopSidecar(s));

  it("lets a call that would be denied reach the tool, and logs and counts the real deny as would_deny", async () => {
    const labels = { outcome: "deny", reason: "blocked_over_hard_limit" };
    const countedBefore = await metricValue(s.server, "aegis_decisions_total", labels);
    const before = s.upstream.received.length;
    const line = await expectThroughAndLogged(s, await pay(s, 60_000), before);
    expect(line).toMatchObject({ decision: "deny", enforced: "allow", shadow: "would_deny", reason: "blocked_over_hard_limit", rule_id: "acme/finance-agent/allowed_tools/stripe-payments/conditions/hard_limit" });
    expect(await metricValue(s.server, "aegis_decisions_total", labels)).toBe(countedBefore + 1);
  });

  it("lets a call that would need approval through as would_need_approval, without queueing an approval", async () => {
    const before = s.upstream.received.length;
    const line = await expectThroughAndLogged(s, await pay(s, 7000), before);
    expect(line).toMatchObject({ decision: "approval_needed", enforced: "allow", shadow: "would_need_approval" });
    expect(await pendingApprovals(s.server)).toEqual([]);
  });
});

/** A second tenant, globex, in shadow mode as a whole, with one agent that may only read calendars. */
function addShadowTenant(policies: string): void {
  mkdirSync(join(policies, "globex"));
  writeFileSync(join(policies, "globex", "tenant.yaml"), "apiVersion: aegis/v1\nkind: Tenant\ntenant: globex\nmode: shadow\negress_allowlist: [api.stripe.com]\n");
  mkdirSync(join(policies, "globex-bot"));
  writeFileSync(join(policies, "globex-bot", "policy.yaml"), "apiVersion: aegis/v1\nkind: AgentPolicy\ntenant: globex\nagent: bot\nallowed_tools:\n  - name: calendar\n    actions: [list_events]\n");
}

describe("mode: shadow on one agent and on one tenant", () => {
  let s: Sidecar;
  beforeAll(async () => {
    const work = workDir("shadow-agent");
    const bundle = buildBundle(work, "bundle", (policies) => {
      editPolicy(policies, "planner", (y) => y.replace("agent: planner\n", "agent: planner\nmode: shadow\n"));
      addShadowTenant(policies);
    });
    s = await startSidecar(work, bundle);
  });
  afterAll(() => stopSidecar(s));

  it("lets the shadowed agent's would-be-denied call through and logs it as would_deny", async () => {
    const labels = { outcome: "deny", reason: "tool_not_allowed" };
    const countedBefore = await metricValue(s.server, "aegis_decisions_total", labels);
    const before = s.upstream.received.length;
    const line = await expectThroughAndLogged(s, await pay(s, 100, "planner"), before);
    expect(line).toMatchObject({ agent_id: "planner", decision: "deny", enforced: "allow", shadow: "would_deny", reason: "tool_not_allowed" });
    expect(await metricValue(s.server, "aegis_decisions_total", labels)).toBe(countedBefore + 1);
  });

  it("lets a would-be-denied call of an agent in a shadow tenant through and logs it as would_deny", async () => {
    const before = s.upstream.received.length;
    const res = await httpRequest({
      port: s.envoy.port, host: "api.stripe.com", method: "POST", path: "/v1/payment_intents",
      headers: { ...identity("bot", "globex"), "content-type": "application/json" }, body: JSON.stringify({ amount: 100 }),
    });
    const line = await expectThroughAndLogged(s, res, before);
    expect(line).toMatchObject({ tenant: "globex", agent_id: "bot", decision: "deny", enforced: "allow", shadow: "would_deny", reason: "tool_not_allowed" });
  });

  it("still enforces every other agent", async () => {
    const before = s.upstream.received.length;
    const res = await pay(s, 60_000);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ reason: "blocked_over_hard_limit" });
    expect(s.upstream.received.length).toBe(before);
  });
});

describe("--shadow-bundle: a stricter candidate evaluated beside the enforced bundle", () => {
  let server: RunningAegisProcess;
  let client: CheckClient;

  beforeAll(async () => {
    const work = workDir("shadow-candidate");
    const enforced = buildBundle(work, "enforced");
    // The candidate lowers the finance agent's limit from 5,000 to 1,000.
    const candidate = buildBundle(work, "candidate", (policies) => editPolicy(policies, "finance-agent", (y) => y.replace("max_amount: 5000\n      approval_threshold: 5000", "max_amount: 1000\n      approval_threshold: 1000")));
    server = await serve({ bundle: enforced, state: `sqlite:${join(work, "state.db")}`, config: writeConfig(work, "aegis"), args: ["--shadow-bundle", candidate] });
    client = connectCheckClient(server.grpcPort);
  });

  afterAll(async () => {
    client?.close();
    await server?.stop();
  });

  const divergences = (enforced: string, candidate: string) => metricValue(server, "aegis_shadow_divergences_total", { enforced, candidate });

  it("serves the enforced allow, and counts and logs the candidate's approval_needed", async () => {
    const answer = await client.check(payment(3000));
    expect(answer.kind).toBe("ok");
    expect(await eventually(() => divergences("allow", "approval_needed"), (n) => n === 1, "one divergence counted")).toBe(1);
    const logged = await eventually(() => logLines(server, "shadow divergence"), (l) => l.length === 1, "the divergence log line");
    expect(logged[0]).toMatchObject({
      decision_id: answer.headers[HEADER.decisionId], tenant: "acme", agent_id: "finance-agent", tool: "stripe-payments", action: "create_payment",
      enforced: { outcome: "allow", reason: "within_limit" },
      candidate: { outcome: "approval_needed", reason: "approval_needed" },
    });
    expect(logged[0]?.candidate).toHaveProperty("policy_version");
  });

  it("counts nothing when both bundles agree", async () => {
    const before = await metricValue(server, "aegis_shadow_divergences_total");
    expect((await client.check(payment(500))).kind).toBe("ok");
    expect((await client.check(payment(60_000))).kind).toBe("denied");
    // Let the (asynchronous) comparisons run, then check nothing was counted.
    await new Promise((r) => setTimeout(r, 300));
    expect(await metricValue(server, "aegis_shadow_divergences_total")).toBe(before);
  });

  it("counts no divergence for an approved call redeemed with its override token: the candidate would hold it for approval too", async () => {
    const pending = await client.check(payment(7000));
    expect(pending.body).toMatchObject({ error: "approval_pending" });
    const token = await approve(server, pending.body.approval_id as string);
    const before = await metricValue(server, "aegis_shadow_divergences_total");
    expect((await client.check(payment(7000, { [HEADER.overrideToken]: token }))).kind).toBe("ok");
    await new Promise((r) => setTimeout(r, 300));
    expect(await metricValue(server, "aegis_shadow_divergences_total")).toBe(before);
  });
});
