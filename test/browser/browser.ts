// Headless Chromium for the console tests: Debian's chromium as provisioned by
// `scripts/setup.sh chromium` (or AEGIS_CHROMIUM), driven by playwright-core, which downloads no
// browser. Screenshots go to test-artifacts/ (git-ignored).
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { REPO_ROOT } from "../support/opa.ts";

export const ARTIFACTS = join(REPO_ROOT, "test-artifacts", "console");

export function chromiumPath(): string {
  const path = process.env.AEGIS_CHROMIUM ?? join(REPO_ROOT, ".tools", "bin", "chromium");
  if (!existsSync(path)) throw new Error(`no chromium at ${path}: run scripts/setup.sh chromium (or set AEGIS_CHROMIUM)`);
  return path;
}

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  // --no-sandbox: the tests run as root in CI, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Signs in through the login form, as a person would: by label, with the keyboard for the submit. */
export async function signIn(page: Page, baseUrl: string, token: string, name = "alice@acme"): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Admin token").fill(token);
  await page.getByLabel("Admin token").press("Enter");
  await page.getByRole("heading", { name: /Pending approvals/ }).waitFor();
}

/** A screenshot of one section of the page (smaller than the full page; what the docs show). */
export async function sectionShot(page: Page, selector: string, name: string): Promise<string> {
  const path = join(ARTIFACTS, `${name}.png`);
  // These shots may end up in the docs: file paths of the test machine (a temp dir) are shown by
  // their base name only (the page itself is unchanged otherwise).
  await page.locator(`${selector} code.path`).evaluateAll((nodes) => {
    for (const n of nodes) n.textContent = (n.textContent ?? "").split("/").pop() ?? "";
  });
  await page.locator(selector).screenshot({ path });
  return path;
}
