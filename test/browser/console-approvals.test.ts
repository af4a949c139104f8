// The console in real headless Chromium against a real `aegis serve`: sign in, see the pending
// approval a real Check created (its `<script>` parameter shown as inert text), approve it, and
// watch the agent's retry with its override token go through.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HEADER } from "../../src/input/header-names.ts";
import { checkRequest } from "../support/check-request-builder.ts";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { connectCheckClient, type CheckClient } from "../support/grpc-check-client.ts";
import { ADMIN_TOKEN, buildBundle, eventually, identity, SELF_READ_BY_HEADERS, serve, workDir, writeConfig } from "../runtime/runtime-harness.ts";
import { launchBrowser, screenshot, sectionShot, signIn } from "./browser.ts";

const XSS = `<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">`;

function paymentWithMemo(amount: number, memo: string, headers: Record<string, string> = {}) {
  return checkRequest({
    method: "POST", host: "api.stripe.com", path: "/v1/payment_intents",
    headers: { ...identity("finance-agent"), "content-type": "application/json", ...headers },
    body: JSON.stringify({ amount, currency: "eur", memo }),
    contextExtensions: { tool: "stripe-payments", action: "create_payment" },
  });
}

describe("the approvals console in Chromium", () => {
  let server: RunningAegisProcess;
  let client: CheckClient;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const work = workDir("console");
    // A daily budget that the test's payments never exhaust: the standing approval's count is what limits.
    const bundle = buildBundle(work, "bundle", (policies) => {
      const file = join(policies, "finance-agent", "policy.yaml");
      writeFileSync(file, readFileSync(file, "utf8").replace("limit: 20000", "limit: 10000000"));
    });
    const config = writeConfig(work, "aegis", { decision_log: { path: join(work, "decisions.jsonl"), include_allows: true } });
    server = await serve({ bundle, state: `sqlite:${join(work, "state.db")}`, config, env: SELF_READ_BY_HEADERS });
    client = connectCheckClient(server.grpcPort);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    page.on("dialog", (d) => void d.accept());
  });

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      client?.close();
      await server?.stop();
    }
  });

  it("refuses the dashboard without signing in, and a wrong token", async () => {
    await page.goto(`${server.adminUrl}/console/`);
    await expect(page.getByLabel("Admin token").isVisible()).resolves.toBe(true);
    await page.getByLabel("Your name").fill("mallory");
    await page.getByLabel("Admin token").fill("wrong-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").textContent()).toContain("Wrong admin token");
    expect((await page.context().cookies()).filter((c) => c.name === "aegis_console")).toEqual([]);
  });

  it("shows a pending approval from a real Check, with a <script> parameter as inert text; approving lets the agent's retry through", async () => {
    const pending = await client.check(paymentWithMemo(6000, XSS));
    expect(pending.body).toMatchObject({ error: "approval_pending" });
    const approvalId = pending.body.approval_id as string;

    await signIn(page, server.adminUrl, ADMIN_TOKEN);
    const cookie = (await page.context().cookies()).find((c) => c.name === "aegis_console");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/console" });
    expect(await page.evaluate("document.cookie")).not.toContain("aegis_console");

    const row = page.locator(`tr[data-approval-id="${approvalId}"]`);
    await row.waitFor();
    // The parameter is on the page as text, and ran nothing.
    expect(await row.locator("pre.params").textContent()).toContain("<script>window.__xss = 1</script><img src=x onerror=");
    expect(await page.evaluate("window.__xss")).toBeUndefined();
    expect(await page.locator("main script, main img").count()).toBe(0);
    await screenshot(page, "pending");
    await sectionShot(page, "#pending", "section-pending");

    // The agent's first retry, before the approval, is still pending.
    const before = await fetch(`${server.adminUrl}/v1/approvals/${approvalId}`, { headers: identity("finance-agent") });
    expect(((await before.json()) as { status: string }).status).toBe("pending");

    await row.getByRole("button", { name: /^Approve finance-agent/ }).click();
    await page.getByRole("status").waitFor();
    expect(await page.getByRole("status").textContent()).toContain("Approved finance-agent stripe-payments.create_payment");
    expect(await page.locator(`tr[data-approval-id="${approvalId}"]`).count()).toBe(0);
    await screenshot(page, "approved");

    // The agent reads its own approval (its identity, no admin token), gets the token, retries once.
    const record = await eventually(async () => (await (await fetch(`${server.adminUrl}/v1/approvals/${approvalId}`, { headers: identity("finance-agent") })).json()) as { status: string; approver: string; override_token?: string }, (r) => r.status === "approved", "approved");
    expect(record.approver).toBe("alice@acme");
    const retry = await client.check(paymentWithMemo(6000, XSS, { [HEADER.overrideToken]: record.override_token as string }));
    expect(retry.kind).toBe("ok");
    const again = await client.check(paymentWithMemo(6000, XSS, { [HEADER.overrideToken]: record.override_token as string }));
    expect(again.kind).toBe("denied");
  });

  it("lists the decisions from the decision log, filterable by outcome, with the script still inert", async () => {
    await page.goto(`${server.adminUrl}/console/?outcome=approval_needed#decisions`);
    const table = page.locator("#decisions table");
    await table.waitFor();
    const text = await table.textContent();
    expect(text).toContain("approval_needed");
    expect(text).not.toContain("approved_override");
    expect(await page.evaluate("window.__xss")).toBeUndefined();
    await page.goto(`${server.adminUrl}/console/?reason=approved_override#decisions`);
    expect(await page.locator("#decisions table").textContent()).toContain("approved_override");
    await screenshot(page, "decisions");
    await sectionShot(page, "#shadow", "section-shadow");
  });

  it("approve as standing: the pending call and the next matching calls go through, up to the count; revoking stops the next pattern", async () => {
    const pending = await client.check(paymentWithMemo(7000, "month-end"));
    const approvalId = pending.body.approval_id as string;
    await page.goto(`${server.adminUrl}/console/#pending`);
    const row = page.locator(`tr[data-approval-id="${approvalId}"]`);
    // Keyboard only: the disclosure opens with Enter, the fields are found by their labels.
    await row.locator("summary").focus();
    await page.keyboard.press("Enter");
    await row.getByLabel("Uses").fill("3");
    await row.getByLabel(/Parameter bounds/).fill("amount <= 8000\ncurrency in eur");
    await row.getByRole("button", { name: /Approve as standing/ }).click();
    await page.getByRole("status").waitFor();
    const flash = (await page.getByRole("status").textContent()) ?? "";
    const standingId = /standing approval (sa_[\w-]+)/.exec(flash)?.[1] as string;
    expect(standingId).toBeTruthy();
    await screenshot(page, "standing-created");

    const burst = await Promise.all([6100, 6200, 6300, 6400].map((a) => client.check(paymentWithMemo(a, "batch"))));
    expect(burst.filter((a) => a.kind === "ok")).toHaveLength(3);
    expect(burst.filter((a) => a.kind === "denied")[0]?.body).toMatchObject({ error: "approval_pending" });

    await page.reload();
    const standingRow = page.locator(`tr[data-standing-id="${standingId}"]`);
    const rowText = (await standingRow.textContent()) ?? "";
    expect(rowText, rowText).toMatch(/0 \/ 3.*exhausted/);

    // A second pattern from the "New standing approval" form, then revoked from its row.
    await page.locator("#standing summary").click();
    const form = page.locator("#standing form.standing");
    await form.getByLabel("Tenant").fill("acme");
    await form.getByLabel("Agent").fill("finance-agent");
    await form.getByLabel("Tool").fill("stripe-payments");
    await form.getByLabel("Action").fill("create_payment");
    await form.getByLabel("Uses").fill("50");
    await form.getByLabel(/Parameter bounds/).fill("amount <= 9000");
    await form.getByRole("button", { name: "Create standing approval" }).click();
    const created = /Standing approval (sa_[\w-]+) created/.exec((await page.getByRole("status").textContent()) ?? "")?.[1] as string;
    expect((await client.check(paymentWithMemo(8500, "x"))).kind).toBe("ok");
    await page.locator(`tr[data-standing-id="${created}"]`).getByRole("button", { name: /Revoke/ }).click();
    await page.getByRole("status").waitFor();
    expect(await page.locator(`tr[data-standing-id="${created}"]`).textContent()).toContain("revoked");
    expect((await client.check(paymentWithMemo(8600, "y"))).body).toMatchObject({ error: "approval_pending" });
    await screenshot(page, "standing");
    await sectionShot(page, "#standing", "section-standing");
  });
});
