// Signing and verification against each other, without OPA (test/bundle/interop.test.ts checks both
// directions against the real OPA CLI).
import { CompactSign } from "jose";
import { createSecretKey } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { fakeBundleFiles, flipOneByte, makeKeys, tempDir, type KeyFiles } from "../../test/bundle/helpers.ts";
import { isAegisError, type ErrorCode } from "../errors/registry.ts";
import { readBundle, type BundleContents } from "./read.ts";
import { signBundleFiles, type SigningOptions } from "./sign.ts";
import { packTarGz } from "./tar-gz.ts";
import { verifyBundle, type VerifyOptions } from "./verify.ts";

const tmp = tempDir();
afterAll(tmp.cleanup);
const keys: Record<KeyFiles["alg"], KeyFiles> = {
  ES256: makeKeys(tmp.dir, "ES256"),
  RS256: makeKeys(tmp.dir, "RS256"),
  HS256: makeKeys(tmp.dir, "HS256"),
};

async function signed(files: Map<string, Uint8Array>, options: SigningOptions): Promise<Map<string, Uint8Array>> {
  const out = new Map(files);
  out.set(".signatures.json", await signBundleFiles(files, options));
  return out;
}

const contentsOf = (files: Map<string, Uint8Array>): Promise<BundleContents> => readBundle(packTarGz(files));

async function failure(contents: BundleContents, options: VerifyOptions): Promise<{ code: ErrorCode; message: string }> {
  try {
    await verifyBundle(contents, options);
  } catch (err) {
    if (isAegisError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error("verifyBundle accepted the bundle");
}

describe.each(["ES256", "RS256", "HS256"] as const)("%s", (alg) => {
  const key = keys[alg];

  it("verifies what it signed, reporting algorithm, key id and file count", async () => {
    const files = await signed(fakeBundleFiles(), { key: key.signingKey, alg, keyId: "k1" });
    const result = await verifyBundle(await contentsOf(files), { key: key.verificationKey, keyId: "k1" });
    expect(result).toEqual({ algorithm: alg, keyId: "k1", files: 4 });
  });

  it.each([".manifest", "data.json", "policy.wasm", "aegis/decision.rego"])("rejects a bundle whose %s changed after signing", async (name) => {
    const files = await signed(fakeBundleFiles(), { key: key.signingKey, alg });
    files.set(name, flipOneByte(files.get(name) as Uint8Array, name === ".manifest" ? 13 : 0));
    const error = await failure(await contentsOf(files), { key: key.verificationKey });
    expect(error.code).toBe("AEGIS_ERR_BUNDLE_SIGNATURE");
    expect(error.message).toContain(`${name}: digest mismatch`);
  });
});

describe("verifyBundle", () => {
  const es = keys.ES256;

  it("accepts a data.json rewritten with other whitespace and key order (OPA hashes the JSON, not the bytes)", async () => {
    const files = await signed(fakeBundleFiles(), { key: es.signingKey, alg: "ES256" });
    files.set("data.json", new TextEncoder().encode('{ "tenants" : { "acme" : { "s" : "x", "n" : 1.5 } } }'));
    await expect(verifyBundle(await contentsOf(files), { key: es.verificationKey })).resolves.toBeDefined();
  });

  it("rejects a file added after signing", async () => {
    const files = await signed(fakeBundleFiles(), { key: es.signingKey, alg: "ES256" });
    files.set("aegis/extra.rego", new TextEncoder().encode("package aegis.extra"));
    expect((await failure(await contentsOf(files), { key: es.verificationKey })).message).toMatch(/aegis\/extra.rego: file is not included/);
  });

  it("rejects a signed file that was removed", async () => {
    const files = await signed(fakeBundleFiles(), { key: es.signingKey, alg: "ES256" });
    files.delete("aegis/decision.rego");
    expect((await failure(await contentsOf(files), { key: es.verificationKey })).message).toMatch(/aegis\/decision.rego listed .* but not in the bundle/);
  });

  it("rejects an unsigned bundle as unsigned", async () => {
    expect((await failure(await contentsOf(fakeBundleFiles()), { key: es.verificationKey })).code).toBe("AEGIS_ERR_BUNDLE_UNSIGNED");
  });

  it("rejects a signature from another key", async () => {
    const files = await signed(fakeBundleFiles(), { key: es.signingKey, alg: "ES256" });
    const other = makeKeys(tmp.dir, "ES256");
    expect((await failure(await contentsOf(files), { key: other.verificationKey })).message).toMatch(/does not verify/);
  });

  it("rejects a key id other than the expected one", async () => {
    const files = await signed(fakeBundleFiles(), { key: es.signingKey, alg: "ES256", keyId: "dev" });
    expect((await failure(await contentsOf(files), { key: es.verificationKey, keyId: "prod" })).message).toMatch(/key id "dev", expected "prod"/);
  });

  it("rejects a token signed with HS256 over the public key bytes (algorithm confusion)", async () => {
    const files = fakeBundleFiles();
    const pem = await import("node:fs").then((fs) => fs.readFileSync(es.verificationKey));
    const token = await new CompactSign(new TextEncoder().encode(JSON.stringify({ files: [] })))
      .setProtectedHeader({ alg: "HS256" })
      .sign(createSecretKey(pem));
    files.set(".signatures.json", new TextEncoder().encode(JSON.stringify({ signatures: [token] })));
    expect((await failure(await contentsOf(files), { key: es.verificationKey })).message).toMatch(/signed with HS256, but the verification key accepts only ES256/);
  });

  it("rejects more than one signature, as OPA does", async () => {
    const files = await signed(fakeBundleFiles(), { key: es.signingKey, alg: "ES256" });
    const token = JSON.parse(new TextDecoder().decode(files.get(".signatures.json"))).signatures[0] as string;
    files.set(".signatures.json", new TextEncoder().encode(JSON.stringify({ signatures: [token, token] })));
    expect((await failure(await contentsOf(files), { key: es.verificationKey })).message).toMatch(/exactly one signature, found 2/);
  });

  it("checks the scope claim like OPA: absent scope only matches no expected scope", async () => {
    const files = await signed(fakeBundleFiles(), { key: es.signingKey, alg: "ES256" });
    expect((await failure(await contentsOf(files), { key: es.verificationKey, scope: "write" })).message).toMatch(/scope mismatch/);
  });
});
