// Attacks on the console's session: a cross-site page that auto-submits an approve form in the
// signed-in admin's browser (real Chromium), and forged requests that carry the session cookie
// but no, a wrong, or another session's CSRF token, or a foreign Origin. Each must leave the
// approval pending.
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { connectCheckClient, type CheckClient } from "../support/grpc-check-client.ts";
import { ADMIN_TOKEN, buildBundle, payment, pendingApprovals, serve, workDir, writeConfig } from "../runtime/runtime-harness.ts";
import { launchBrowser, signIn } from "../browser/browser.ts";

async function login(base: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${base}/console/login`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ name: "bob", token: ADMIN_TOKEN }) });
  expect(res.status).toBe(303);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] as string;
  const page = await (await fetch(`${base}/console/`, { headers: { cookie } })).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] as string;
  expect(csrf).toBeTruthy();
  return { cookie, csrf };
}

function post(base: string, path: string, headers: Record<string, string>, form: Record<string, string>): Promise<Response> {
  return fetch(`${base}${path}`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(form) });
}

describe("console CSRF and session attacks", () => {
  let server: RunningAegisProcess;
  let client: CheckClient;
  let evil: Server;
  let evilPort = 0;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const work = workDir("console-csrf");
    server = await serve({ bundle: buildBundle(work), state: `sqlite:${join(work, "state.db")}`, config: writeConfig(work, "aegis") });
    client = connectCheckClient(server.grpcPort);
    evil = createServer((req, res) => {
      const id = new URL(req.url ?? "/", "http://x").searchParams.get("id") ?? "";
      // A different site (localhost, not 127.0.0.1) posting straight at the console.
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<form id="f" method="post" action="${server.adminUrl}/console/approvals/${encodeURIComponent(id)}/approve"><input name="csrf" value="guess"></form><script>document.getElementById("f").submit()</script>`);
    });
    await new Promise<void>((r) => evil.listen(0, "127.0.0.1", () => r()));
    evilPort = (evil.address() as { port: number }).port;
    browser = await launchBrowser();
    page = await browser.newPage();
  });

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      evil?.close();
      client?.close();
      await server?.stop();
    }
  });

  async function pendingId(amount: number): Promise<string> {
    const answer = await client.check(payment(amount));
    expect(answer.body).toMatchObject({ error: "approval_pending" });
    return answer.body.approval_id as string;
  }

  it("a cross-site page auto-submitting an approve form in the signed-in admin's browser changes nothing", async () => {
    const id = await pendingId(6100);
    await signIn(page, server.adminUrl, ADMIN_TOKEN);
    const answered = page.waitForResponse((r) => r.url().includes("/console/approvals/"));
    await page.goto(`http://localhost:${evilPort}/?id=${encodeURIComponent(id)}`);
    const res = await answered;
    // Two locks, both shut: SameSite=Strict kept the session cookie home, and the Origin is foreign.
    expect(await res.request().headerValue("cookie")).toBeNull();
    expect(res.status()).toBe(403);
    expect(await res.json()).toMatchObject({ error: "cross_origin" });
    expect((await pendingApprovals(server)).map((a) => a.id)).toContain(id);
  });

  it("a forged POST with the session cookie but no, a wrong or another session's CSRF token is 403", async () => {
    const id = await pendingId(6200);
    const mine = await login(server.adminUrl);
    const other = await login(server.adminUrl);
    for (const csrf of [undefined, "wrong", other.csrf]) {
      const res = await post(server.adminUrl, `/console/approvals/${id}/approve`, { cookie: mine.cookie }, csrf === undefined ? {} : { csrf });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: "csrf_token_invalid" });
    }
    expect((await pendingApprovals(server)).map((a) => a.id)).toContain(id);
    // With its own token the same request works: the refusals above were the token's doing.
    const ok = await post(server.adminUrl, `/console/approvals/${id}/approve`, { cookie: mine.cookie }, { csrf: mine.csrf });
    expect(ok.status).toBe(303);
    expect((await pendingApprovals(server)).map((a) => a.id)).not.toContain(id);
  });

  it("a foreign Origin is refused even with a valid session and token; no session is 401; JSON bodies are 415", async () => {
    const id = await pendingId(6300);
    const { cookie, csrf } = await login(server.adminUrl);
    const foreign = await post(server.adminUrl, `/console/approvals/${id}/approve`, { cookie, origin: "http://evil.example" }, { csrf });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: "cross_origin" });
    const nullOrigin = await post(server.adminUrl, `/console/approvals/${id}/approve`, { cookie, origin: "null" }, { csrf });
    expect(nullOrigin.status).toBe(403);
    const noSession = await post(server.adminUrl, `/console/approvals/${id}/approve`, {}, { csrf });
    expect(noSession.status).toBe(401);
    const forgedCookie = await post(server.adminUrl, `/console/approvals/${id}/approve`, { cookie: "aegis_console=forged" }, { csrf });
    expect(forgedCookie.status).toBe(401);
    const json = await fetch(`${server.adminUrl}/console/approvals/${id}/approve`, { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify({ csrf }) });
    expect(json.status).toBe(415);
    expect((await pendingApprovals(server)).map((a) => a.id)).toContain(id);
  });

  it("signing out ends the session server-side: the old cookie and token no longer work", async () => {
    const id = await pendingId(6400);
    const { cookie, csrf } = await login(server.adminUrl);
    const out = await post(server.adminUrl, "/console/logout", { cookie }, { csrf });
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
    const replayed = await post(server.adminUrl, `/console/approvals/${id}/approve`, { cookie }, { csrf });
    expect(replayed.status).toBe(401);
    const page = await (await fetch(`${server.adminUrl}/console/`, { headers: { cookie } })).text();
    expect(page).toContain("Admin token");
  });

  it("serves the pages with a CSP that forbids inline and foreign scripts", async () => {
    const res = await fetch(`${server.adminUrl}/console/`);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });

  it("throttles guessing the admin token: after 10 wrong tokens in a minute even the right one is 429", async () => {
    const attempt = (token: string) => fetch(`${server.adminUrl}/console/login`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ name: "mallory", token }) });
    // Sessions made earlier in this file used the right token; only failures count.
    for (let i = 0; i < 10; i++) expect((await attempt(`guess-${i}`)).status).toBe(401);
    const locked = await attempt(ADMIN_TOKEN);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(locked.headers.get("set-cookie")).toBeNull();
  });
});
