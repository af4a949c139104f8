// Revisions of the example policies for the rollback tests, and publishing one at the source.
import { copyFileSync, cpSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { aegis } from "../support/cli.ts";
import { REPO_ROOT } from "../support/opa.ts";

/** The example policies at `threshold`, built as `revision`. */
export function revisionBundle(work: string, revision: string, threshold: number): string {
  const policies = mkdtempSync(join(work, `${revision}-`));
  cpSync(join(REPO_ROOT, "policies", "examples"), policies, { recursive: true });
  const file = join(policies, "finance-agent", "policy.yaml");
  writeFileSync(file, readFileSync(file, "utf8").replace("limit: 20000", "limit: 10000000").replace("approval_threshold: 5000", `approval_threshold: ${threshold}`));
  const out = join(work, `${revision}.tar.gz`);
  const built = aegis(["build", policies, "-o", out, "--revision", revision]);
  expect(built.code, built.stderr).toBe(0);
  return out;
}

/** Replaces the served file by rename, as `aegis build` and editors do. */
export function publish(bundle: string, served: string): void {
  copyFileSync(bundle, `${served}.tmp`);
  renameSync(`${served}.tmp`, served);
}

