import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../../test/bundle/helpers.ts";
import { loadSigningKey, loadVerificationKey, resolveKeyMaterial } from "./key-material.ts";

const tmp = tempDir();
afterAll(tmp.cleanup);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const ecPrivatePem = ec.privateKey.export({ format: "pem", type: "pkcs8" }) as string;
const ecPublicPem = ec.publicKey.export({ format: "pem", type: "spki" }) as string;

describe("resolveKeyMaterial (OPA CLI conventions)", () => {
  it("takes inline PEM as is", async () => {
    expect(text(await resolveKeyMaterial(ecPublicPem))).toBe(ecPublicPem);
  });

  it("reads a file byte for byte, trailing newline included", async () => {
    const file = join(tmp.dir, "secret.txt");
    writeFileSync(file, "s3cret\n");
    expect(text(await resolveKeyMaterial(file))).toBe("s3cret\n");
  });

  it("takes a value that names no file as the secret itself", async () => {
    expect(text(await resolveKeyMaterial("not-a-file-but-a-secret"))).toBe("not-a-file-but-a-secret");
  });
});

describe("loadSigningKey", () => {
  it("accepts an EC P-256 key for ES256 and refuses it for RS256 or ES384", async () => {
    expect((await loadSigningKey(ecPrivatePem, "ES256")).asymmetricKeyType).toBe("ec");
    await expect(loadSigningKey(ecPrivatePem, "RS256")).rejects.toThrow(/cannot be used with RS256/);
    await expect(loadSigningKey(ecPrivatePem, "ES384")).rejects.toThrow(/cannot be used with ES384/);
  });

  it("refuses a public key where a private key is needed", async () => {
    await expect(loadSigningKey(ecPublicPem, "ES256")).rejects.toThrow(/not a PEM private key/);
  });
});

describe("loadVerificationKey", () => {
  it("derives the algorithms from the key type when none is given", async () => {
    expect((await loadVerificationKey(ecPublicPem)).algorithms).toEqual(["ES256"]);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "pem", type: "spki" }) as string;
    expect((await loadVerificationKey(rsa)).algorithms).toContain("RS256");
    expect((await loadVerificationKey("shared-secret")).algorithms).toEqual(["HS256", "HS384", "HS512"]);
  });

  it("never turns PEM material into an HMAC secret (no RS256→HS256 confusion)", async () => {
    await expect(loadVerificationKey(ecPublicPem, "HS256")).rejects.toThrow(/needs a shared secret/);
  });

  it("refuses a secret for an asymmetric algorithm", async () => {
    await expect(loadVerificationKey("shared-secret", "ES256")).rejects.toThrow(/needs a PEM public key/);
  });
});
