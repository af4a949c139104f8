import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isAegisError } from "../errors/registry.ts";
import { findPolicyFiles } from "./find-policy-files.ts";

const validDir = fileURLToPath(new URL("./testdata/valid", import.meta.url));

describe("findPolicyFiles", () => {
  it("lists YAML policies in sorted order, skipping test cases and hidden folders", async () => {
    const files = await findPolicyFiles(validDir);
    expect(files.map((f) => f.slice(validDir.length + 1))).toEqual(["default-tenant.yaml", "empty.yaml", "globex.yaml"]);
  });

  it("takes a single file as given", async () => {
    expect(await findPolicyFiles(`${validDir}/globex.yaml`)).toEqual([`${validDir}/globex.yaml`]);
  });

  it("fails with AEGIS_ERR_POLICY_READ for a missing path, a folder without policies or a lone test file", async () => {
    const onlyTests = await mkdtemp(join(tmpdir(), "aegis-policy-files-"));
    try {
      await mkdir(join(onlyTests, "tests"));
      await writeFile(join(onlyTests, "tests", "cases.yaml"), "cases: []\n");
      await writeFile(join(onlyTests, "payments_test.yaml"), "cases: []\n");
      await writeFile(join(onlyTests, "notes.txt"), "not yaml\n");
      for (const path of [join(validDir, "missing.yaml"), onlyTests, join(validDir, "billing_test.yaml")]) {
        const err: unknown = await findPolicyFiles(path).catch((e: unknown) => e);
        expect(isAegisError(err, "AEGIS_ERR_POLICY_READ"), `${path}: ${String(err)}`).toBe(true);
      }
    } finally {
      await rm(onlyTests, { recursive: true });
    }
  });
});
