// Produces `.signatures.json` exactly as `opa build --signing-key` / `opa sign` do: one JWS whose
// payload lists every file with its SHA-256 digest (OPA's hashing rules) and, like OPA without a
// claims file, the deprecated "keyid" claim; the protected header carries alg, kid and typ "JWT".
import { CompactSign } from "jose";
import { DEFAULT_HASH_ALGORITHM, hashBundleFile } from "./file-hash.ts";
import { DEFAULT_SIGNING_ALGORITHM, loadSigningKey, type SigningAlgorithm } from "./key-material.ts";
import { SIGNATURES_FILE } from "./read.ts";

export interface SigningOptions {
  /** Inline PEM, a PEM file path, or (HMAC) a secret file path or the secret itself. */
  readonly key: string;
  /** Default RS256, like OPA. */
  readonly alg?: SigningAlgorithm;
  /** Default "default", the key id `opa build`/`opa run` assume when none is given. */
  readonly keyId?: string;
}

export const DEFAULT_KEY_ID = "default";

export interface SignedFile {
  readonly name: string;
  readonly hash: string;
  readonly algorithm: string;
}

/** Digests of every file except `.signatures.json`, sorted by name. */
export function listSignedFiles(files: ReadonlyMap<string, Uint8Array>): SignedFile[] {
  return [...files.keys()]
    .filter((name) => name !== SIGNATURES_FILE)
    .sort()
    .map((name) => ({ name, hash: hashBundleFile(name, files.get(name) ?? new Uint8Array(0)), algorithm: DEFAULT_HASH_ALGORITHM }));
}

export type BundleSigner = (files: ReadonlyMap<string, Uint8Array>) => Promise<Uint8Array>;

/** Loads the key up front (a bad key fails before any build work) and returns a signer of file sets. */
export async function createBundleSigner(options: SigningOptions): Promise<BundleSigner> {
  const alg = options.alg ?? DEFAULT_SIGNING_ALGORITHM;
  const keyId = options.keyId ?? DEFAULT_KEY_ID;
  const key = await loadSigningKey(options.key, alg);
  return async (files) => {
    // Key order matches Go's json.Marshal of OPA's payload map and FileInfo struct.
    const payload = JSON.stringify({ files: listSignedFiles(files), keyid: keyId });
    const token = await new CompactSign(new TextEncoder().encode(payload))
      .setProtectedHeader({ alg, kid: keyId, typ: "JWT" })
      .sign(key);
    return new TextEncoder().encode(`${JSON.stringify({ signatures: [token] }, null, 1)}\n`);
  };
}

/** The `.signatures.json` bytes for a bundle holding `files`. */
export async function signBundleFiles(files: ReadonlyMap<string, Uint8Array>, options: SigningOptions): Promise<Uint8Array> {
  return (await createBundleSigner(options))(files);
}
