// `aegis build` and `aegis verify` as a user runs them: through bin/aegis, exit codes and output.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBundle } from "../../src/bundle/read.ts";
import { packTarGz } from "../../src/bundle/tar-gz.ts";
import { flipOneByte, makeKeys, run, tempDir, type RunResult } from "./helpers.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const aegis = (...args: string[]) => run(join(repo, "bin", "aegis"), args);
const examples = join(repo, "policies", "examples");
const tmp = tempDir();
afterAll(tmp.cleanup);
const keys = makeKeys(tmp.dir, "ES256");
const signedBundle = join(tmp.dir, "out", "signed.tar.gz");
const unsignedBundle = join(tmp.dir, "unsigned.tar.gz");
let signedBuild: RunResult;

beforeAll(async () => {
  signedBuild = await aegis("build", examples, "-o", signedBundle, "--signing-key", keys.signingKey, "--signing-alg", "ES256", "--key-id", "ci");
  await aegis("build", examples, "-o", unsignedBundle);
});

describe("aegis build", () => {
  it("compiles the example policies, signs the bundle and prints revision and path", async () => {
    const result = signedBuild;
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const contents = await readBundle(readFileSync(signedBundle));
    expect(result.stdout).toBe(`aegis build: ${signedBundle}: revision ${contents.manifest.revision} (signed ES256, key id "ci")\n`);
    expect(contents.signatures?.signatures).toHaveLength(1);
  });

  it("honours --revision", async () => {
    const outFile = join(tmp.dir, "rev.tar.gz");
    const result = await aegis("build", examples, "-o", outFile, "--revision", "release-7");
    expect(result.code).toBe(0);
    expect((await readBundle(readFileSync(outFile))).manifest.revision).toBe("release-7");
  });

  it("prints every policy problem and exits 1 without writing a bundle", async () => {
    const dir = join(tmp.dir, "bad-policies");
    mkdirSync(dir);
    writeFileSync(join(dir, "agent.yaml"), "apiVersion: aegis/v1\nkind: AgentPolicy\nagent: a\nmode: sometimes\nallowed_tools: []\n");
    const outFile = join(tmp.dir, "bad.tar.gz");
    const result = await aegis("build", dir, "-o", outFile);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/agent\.yaml:\d+:\d+: \/mode: /);
    expect(existsSync(outFile)).toBe(false);
  });

  it("exits 1 with opa's error when the Rego does not compile", async () => {
    const outFile = join(tmp.dir, "syntax.tar.gz");
    const result = await aegis("build", examples, "-o", outFile, "--rego-dir", join(repo, "test", "bundle", "fixtures", "syntax-error", "aegis"));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/AEGIS_ERR_OPA_BUILD: opa build failed/);
    expect(existsSync(outFile)).toBe(false);
  });

  it.each([
    ["no -o", [examples]],
    ["two directories", [examples, examples, "-o", "x.tar.gz"]],
    ["--key-id without --signing-key", [examples, "-o", "x.tar.gz", "--key-id", "k"]],
    ["an unknown algorithm", [examples, "-o", "x.tar.gz", "--signing-key", "k", "--signing-alg", "none"]],
  ])("exits 2 with usage on %s", async (_name, args) => {
    const result = await aegis("build", ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/usage: aegis build/);
  });
});

describe("aegis verify", () => {
  it("exits 0 with a summary for a bundle signed with the key", async () => {
    const result = await aegis("verify", signedBundle, "--verification-key", keys.verificationKey, "--key-id", "ci");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/: ok\n {2}revision: {2}[0-9a-f]{16}\n {2}signature: ES256, key id "ci"\n {2}files: +\d+ listed, all digests match\n/);
  });

  it("exits 1 naming the file when one byte of it changed", async () => {
    const files = new Map((await readBundle(readFileSync(signedBundle))).files);
    files.set("data.json", flipOneByte(files.get("data.json") as Uint8Array));
    const tampered = join(tmp.dir, "tampered.tar.gz");
    writeFileSync(tampered, packTarGz(files));
    const result = await aegis("verify", tampered, "--verification-key", keys.verificationKey);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/FAILED: AEGIS_ERR_BUNDLE_SIGNATURE: data.json: digest mismatch/);
  });

  it("exits 1 for an unsigned bundle, a wrong key id and a corrupt file", async () => {
    expect((await aegis("verify", unsignedBundle, "--verification-key", keys.verificationKey)).stderr).toMatch(/AEGIS_ERR_BUNDLE_UNSIGNED/);
    const wrongId = await aegis("verify", signedBundle, "--verification-key", keys.verificationKey, "--key-id", "prod");
    expect([wrongId.code, wrongId.stderr]).toEqual([1, expect.stringMatching(/signed with key id "ci", expected "prod"/)]);
    const corrupt = join(tmp.dir, "corrupt.tar.gz");
    writeFileSync(corrupt, "not a bundle");
    const result = await aegis("verify", corrupt, "--verification-key", keys.verificationKey);
    expect([result.code, result.stderr]).toEqual([1, expect.stringMatching(/AEGIS_ERR_BUNDLE_READ/)]);
  });

  it("exits 2 without --verification-key", async () => {
    const result = await aegis("verify", signedBundle);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--verification-key is required/);
  });
});
