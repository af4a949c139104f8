// Signature interoperability with the real OPA CLI, both ways, for ES256, RS256 and HS256:
// OPA accepts what Aegis signs, Aegis accepts what OPA signs, and neither accepts a tampered file.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { buildBundle } from "../../src/bundle/build.ts";
import { AEGIS_METADATA } from "../../src/bundle/manifest.ts";
import { readBundle } from "../../src/bundle/read.ts";
import { loadBundleSource } from "../../src/bundle/source.ts";
import { packTarGz } from "../../src/bundle/tar-gz.ts";
import { verifyBundle } from "../../src/bundle/verify.ts";
import { isAegisError } from "../../src/errors/registry.ts";
import { opaBinary } from "../support/opa.ts";
import { flipOneByte, makeKeys, run, tempDir, type KeyFiles } from "./helpers.ts";

const MINIMAL_DECISION = fileURLToPath(new URL("./fixtures/minimal/aegis/decision.rego", import.meta.url));
const tmp = tempDir();
afterAll(tmp.cleanup);

// Strings and keys where Go's JSON encoding and key order differ from JavaScript's defaults.
const TRICKY_DATA = {
  aegis_meta: { format: 1 },
  tenants: {
    acme: {
      agents: { "finance-agent": {} },
      note: 'a\u2028b <&> \b\f\t "q" \\ é',
      "\uff61": 1,
      "😀": [1.5, 0.1, 5000, -2],
    },
  },
};
// The same kind of data as a file written by hand: number literals and escapes OPA must hash as written.
const TRICKY_DATA_JSON = '{ "tenants" : {"acme":{"agents":{"a":{}}, "x": 1.50, "y": 1E3, "\\uff61": "a\\u2028<&>\\b\\f", "😀": [ -0, 10 ] }}, "aegis_meta": {"format":1}}';

/** A Rego dir with the minimal decision and a file whose path is too long for a plain ustar header. */
function regoDir(): string {
  const dir = join(tmp.dir, "rego", "aegis");
  const deep = join(dir, "helpers", "a-directory-name-long-enough", "to-push-the-path-past-one-hundred-bytes");
  mkdirSync(deep, { recursive: true });
  copyFileSync(MINIMAL_DECISION, join(dir, "decision.rego"));
  writeFileSync(join(deep, "helpers_with_a_long_file_name.rego"), "package aegis.helpers\n\nanswer := 42\n");
  return dir;
}
const REGO = regoDir();

function opaVerifyArgs(keys: KeyFiles, keyId: string): string[] {
  return ["--verification-key", keys.verificationKey, "--verification-key-id", keyId, "--signing-alg", keys.alg];
}

/** `opa build -b <bundle>` with verification: OPA's own bundle reader checks signature and digests. */
function opaVerifies(bundle: string, keys: KeyFiles, keyId: string) {
  return run(opaBinary(), ["build", "-b", bundle, ...opaVerifyArgs(keys, keyId), "-o", `${bundle}.opa-rebuilt.tar.gz`]);
}

async function signatureError(bytes: Uint8Array, keys: KeyFiles): Promise<string> {
  try {
    await verifyBundle(await readBundle(bytes), { key: keys.verificationKey });
  } catch (err) {
    if (isAegisError(err, "AEGIS_ERR_BUNDLE_SIGNATURE")) return err.message;
    throw err;
  }
  throw new Error("verifyBundle accepted a tampered bundle");
}

/** An OPA-built, unsigned bundle of the minimal policy, unpacked: the starting point for OPA-side signing. */
async function opaBuiltFiles(stageName: string, extraArgs: string[]): Promise<{ files: Map<string, Uint8Array>; bundle: string }> {
  const stage = join(tmp.dir, stageName);
  mkdirSync(join(stage, "aegis"), { recursive: true });
  copyFileSync(MINIMAL_DECISION, join(stage, "aegis", "decision.rego"));
  writeFileSync(join(stage, "data.json"), TRICKY_DATA_JSON);
  writeFileSync(join(stage, ".manifest"), JSON.stringify({ roots: ["aegis", "aegis_meta", "tenants"], metadata: { aegis: AEGIS_METADATA } }));
  const bundle = join(tmp.dir, `${stageName}.tar.gz`);
  const built = await run(opaBinary(), ["build", "-t", "wasm", "-O=1", "-e", "aegis/decision", "--revision", stageName, "--bundle", ".", "-o", bundle, ...extraArgs], { cwd: stage });
  expect(built.stderr).toBe("");
  return { files: new Map((await readBundle(readFileSync(bundle))).files), bundle };
}

describe.each(["ES256", "RS256", "HS256"] as const)("%s", (alg) => {
  const keys = makeKeys(tmp.dir, alg);
  const wrongKeys = makeKeys(tmp.dir, alg);

  it("OPA accepts a bundle Aegis signed, and refuses it with another key", async () => {
    const outFile = join(tmp.dir, `aegis-signed-${alg}.tar.gz`);
    await buildBundle({ data: TRICKY_DATA, regoDir: REGO, outFile, signing: { key: keys.signingKey, alg, keyId: "aegis-key" } });
    const accepted = await opaVerifies(outFile, keys, "aegis-key");
    expect(accepted.stderr).toBe("");
    expect(accepted.code).toBe(0);
    const refused = await opaVerifies(outFile, wrongKeys, "aegis-key");
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toMatch(/verif|signature/i);
  });

  it("Aegis accepts a bundle signed by opa build --signing-key", async () => {
    const { bundle } = await opaBuiltFiles(`opa-build-signed-${alg}`, [
      "--signing-key", keys.signingKey, "--signing-alg", alg, "--verification-key-id", "opa-key",
    ]);
    const contents = await readBundle(readFileSync(bundle));
    expect(await verifyBundle(contents, { key: keys.verificationKey, keyId: "opa-key" })).toEqual({ algorithm: alg, keyId: "opa-key", files: 4 });
    await expect(verifyBundle(contents, { key: wrongKeys.verificationKey })).rejects.toThrow(/does not verify/);
  });

  it("Aegis accepts a bundle signed by opa sign over hand-written JSON", async () => {
    const { files } = await opaBuiltFiles(`opa-sign-${alg}`, []);
    files.set("data.json", new TextEncoder().encode(TRICKY_DATA_JSON));
    const dir = join(tmp.dir, `opa-sign-dir-${alg}`);
    for (const [name, bytes] of files) {
      mkdirSync(join(dir, name, ".."), { recursive: true });
      writeFileSync(join(dir, name), bytes);
    }
    const signed = await run(opaBinary(), ["sign", ".", "--bundle", "--signing-key", keys.signingKey, "--signing-alg", alg, "-o", "."], { cwd: dir });
    expect(signed.stderr).toBe("");
    files.set(".signatures.json", readFileSync(join(dir, ".signatures.json")));
    const result = await verifyBundle(await readBundle(packTarGz(files)), { key: keys.verificationKey });
    expect(result.files).toBe(4);
  });
});

describe("tampering", () => {
  const keys = makeKeys(tmp.dir, "ES256");
  const bundlePath = join(tmp.dir, "tamper-base.tar.gz");
  const ready = buildBundle({ data: TRICKY_DATA, regoDir: REGO, outFile: bundlePath, signing: { key: keys.signingKey, alg: "ES256", keyId: "k" } });

  it.each([
    ["data.json", (b: Uint8Array) => flipOneByte(b)],
    ["policy.wasm", (b: Uint8Array) => flipOneByte(b, Math.floor(b.length / 2))],
    ["aegis/decision.rego", (b: Uint8Array) => flipOneByte(b)],
    [".manifest", (b: Uint8Array) => flipOneByte(b, new TextDecoder().decode(b).indexOf('"revision":"') + 12)],
  ])("one byte changed in %s is refused by Aegis and by OPA", async (name, flip) => {
    await ready;
    const files = new Map((await readBundle(readFileSync(bundlePath))).files);
    files.set(name, flip(files.get(name) as Uint8Array));
    const tampered = packTarGz(files);
    expect(await signatureError(tampered, keys)).toContain(`${name}: digest mismatch`);
    const path = join(tmp.dir, `tampered-${name.replace(/\W/g, "_")}.tar.gz`);
    writeFileSync(path, tampered);
    const opa = await opaVerifies(path, keys, "k");
    expect(opa.code).not.toBe(0);
    // opa prints load errors on stdout
    expect(opa.stdout).toContain(`${name}: digest mismatch`);
  });

  it("an unsigned bundle is refused when a signature is required, by Aegis and by OPA", async () => {
    const outFile = join(tmp.dir, "unsigned.tar.gz");
    await buildBundle({ data: TRICKY_DATA, regoDir: REGO, outFile });
    let code: string | undefined;
    try {
      await loadBundleSource(outFile, { verificationKey: keys.verificationKey, requireSignature: true });
    } catch (err) {
      code = isAegisError(err) ? err.code : undefined;
    }
    expect(code).toBe("AEGIS_ERR_BUNDLE_UNSIGNED");
    const opa = await opaVerifies(outFile, keys, "k");
    expect(opa.code).not.toBe(0);
    expect(opa.stdout).toMatch(/bundle missing .signatures.json file/);
  });
});
