// Rolling a bundle back from the console in real headless Chromium: r2 replaced r1 at the source;
// one click on "Roll back to r1" (after the confirmation) switches every check to r1.
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { connectCheckClient, type CheckClient } from "../support/grpc-check-client.ts";
import { ADMIN_TOKEN, eventually, payment, serve, workDir, writeConfig } from "../runtime/runtime-harness.ts";
import { publish, revisionBundle } from "../ops/bundle-helpers.ts";
import { launchBrowser, screenshot, sectionShot, signIn } from "./browser.ts";

describe("rollback from the console in Chromium", () => {
  const work = workDir("console-rollout");
  let server: RunningAegisProcess;
  let client: CheckClient;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];

  beforeAll(async () => {
    const served = join(work, "live.tar.gz");
    publish(revisionBundle(work, "r1", 5000), served);
    server = await serve({ bundle: served, state: `sqlite:${join(work, "state.db")}`, config: writeConfig(work, "aegis", { bundle: { poll_interval_ms: 200 } }) });
    client = connectCheckClient(server.grpcPort);
    publish(revisionBundle(work, "r2", 1000), served);
    await eventually(async () => ((await (await fetch(`${server.adminUrl}/readyz`)).json()) as { bundle: { revision: string } }).bundle.revision, (r) => r === "r2", "r2 live");
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
  });

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      client?.close();
      await server?.stop();
    }
  });

  it("shows r2 live with r1 kept, and one click rolls every check back to r1", async () => {
    expect((await client.check(payment(3000))).body).toMatchObject({ error: "approval_pending" });
    await signIn(page, server.adminUrl, ADMIN_TOKEN);
    const bundle = page.locator("#bundle");
    expect(await bundle.locator("#live-revision").textContent()).toBe("r2");
    const button = bundle.getByRole("button", { name: "Roll back to r1" });
    await button.click();
    await page.getByRole("status").waitFor();
    expect(dialogs).toEqual(["Switch every check to revision r1?"]);
    expect(await page.getByRole("status").textContent()).toContain("Rolled back to revision r1");
    expect(await bundle.locator("#live-revision").textContent()).toBe("r1");
    expect(await bundle.locator("#live-origin").textContent()).toContain("rolled back by alice@acme from r2");
    await screenshot(page, "rolled-back");
    await sectionShot(page, "#bundle", "section-bundle");
    const after = await client.check(payment(3000));
    expect(after.kind).toBe("ok");
    expect(after.headers["x-aegis-policy-version"]).toBe("r1");
  });
});
