// Verifies a bundle the way OPA's bundle reader does (bundle/verify.go), a little stricter:
// exactly one JWS that verifies with the key; every file listed with a matching digest; every file of
// the bundle but .signatures.json listed; the payload's scope equal to the expected one.
// Stricter than OPA: a given key id must match the token's, duplicate names and MD5/SHA-1 are refused.
import { compactVerify, decodeProtectedHeader } from "jose";
import { AegisError } from "../errors/registry.ts";
import { hashBundleFile, isSupportedHashAlgorithm } from "./file-hash.ts";
import { isSigningAlgorithm, loadVerificationKey } from "./key-material.ts";
import { SIGNATURES_FILE, type BundleContents } from "./read.ts";

export interface VerifyOptions {
  /** Inline PEM, a PEM file path, or (HMAC) a secret file path or the secret itself. */
  readonly key: string;
  /** When given, the token must name this key id (JWS "kid", else the "keyid" claim). */
  readonly keyId?: string;
  /** When given, the only JWS algorithm accepted; otherwise the key's type decides. */
  readonly alg?: string;
  /** OPA's bundle signing scope; the payload's "scope" must equal it (both default to ""). */
  readonly scope?: string;
}

export interface VerifiedSignature {
  readonly algorithm: string;
  readonly keyId: string | null;
  readonly files: number;
}

function mismatch(message: string, cause?: unknown): AegisError {
  return new AegisError("AEGIS_ERR_BUNDLE_SIGNATURE", message, cause === undefined ? undefined : { cause });
}

interface Payload {
  readonly files: ReadonlyMap<string, { hash: string; algorithm: string }>;
  readonly keyid?: string;
  readonly scope?: string;
}

function parsePayload(bytes: Uint8Array): Payload {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (err) {
    throw mismatch("signature payload is not JSON", err);
  }
  const { files, keyid, scope } = (value ?? {}) as Record<string, unknown>;
  if (!Array.isArray(files)) throw mismatch('signature payload has no "files" array');
  const listed = new Map<string, { hash: string; algorithm: string }>();
  for (const entry of files as unknown[]) {
    const { name, hash, algorithm } = (entry ?? {}) as Record<string, unknown>;
    if (typeof name !== "string" || typeof hash !== "string" || typeof algorithm !== "string") {
      throw mismatch('signature payload "files" entries need string "name", "hash" and "algorithm"');
    }
    const path = name.replace(/^\/+/, "");
    if (listed.has(path)) throw mismatch(`signature payload lists "${path}" twice`);
    listed.set(path, { hash: hash.toLowerCase(), algorithm });
  }
  return {
    files: listed,
    ...(typeof keyid === "string" ? { keyid } : {}),
    ...(typeof scope === "string" ? { scope } : {}),
  };
}

function signedAlgorithm(token: string): string {
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch (err) {
    throw mismatch(`${SIGNATURES_FILE} does not hold a JWS: ${(err as Error).message}`, err);
  }
  if (typeof alg !== "string") throw mismatch('the bundle signature has no "alg" header');
  return alg;
}

function tokenKeyId(token: string, payload: Payload): string | null {
  const kid = decodeProtectedHeader(token).kid;
  return typeof kid === "string" && kid !== "" ? kid : (payload.keyid ?? null);
}

function checkFiles(contents: BundleContents, listed: Payload["files"]): void {
  for (const [name, bytes] of contents.files) {
    if (name === SIGNATURES_FILE) continue;
    const entry = listed.get(name);
    if (entry === undefined) throw mismatch(`${name}: file is not included in the bundle signature`);
    if (!isSupportedHashAlgorithm(entry.algorithm)) {
      throw mismatch(`${name}: hash algorithm "${entry.algorithm}" is not accepted`);
    }
    const actual = hashBundleFile(name, bytes, entry.algorithm);
    if (actual !== entry.hash) throw mismatch(`${name}: digest mismatch (signed ${entry.hash}, bundle has ${actual})`);
  }
  const missing = [...listed.keys()].filter((name) => !contents.files.has(name));
  if (missing.length > 0) throw mismatch(`file(s) ${missing.join(", ")} listed in the bundle signature but not in the bundle`);
}

export async function verifyBundle(contents: BundleContents, options: VerifyOptions): Promise<VerifiedSignature> {
  const tokens = contents.signatures?.signatures;
  if (tokens === undefined) throw new AegisError("AEGIS_ERR_BUNDLE_UNSIGNED", `bundle has no ${SIGNATURES_FILE}`);
  if (tokens.length !== 1) throw mismatch(`${SIGNATURES_FILE} must hold exactly one signature, found ${tokens.length}`);
  const token = tokens[0] ?? "";
  if (options.alg !== undefined && !isSigningAlgorithm(options.alg)) {
    throw new AegisError("AEGIS_ERR_USAGE", `unsupported signing algorithm "${options.alg}"`);
  }
  const { key, algorithms } = await loadVerificationKey(options.key, options.alg);
  const signedWith = signedAlgorithm(token);
  if (!(algorithms as readonly string[]).includes(signedWith)) {
    throw mismatch(`bundle is signed with ${signedWith}, but the verification key accepts only ${algorithms.join(", ")}`);
  }
  let verified: Awaited<ReturnType<typeof compactVerify>>;
  try {
    verified = await compactVerify(token, key, { algorithms: [...algorithms] });
  } catch (err) {
    throw mismatch(`the bundle signature does not verify with the given key: ${(err as Error).message}`, err);
  }
  const payload = parsePayload(verified.payload);
  const keyId = tokenKeyId(token, payload);
  if (options.keyId !== undefined && keyId !== null && keyId !== options.keyId) {
    throw mismatch(`bundle was signed with key id "${keyId}", expected "${options.keyId}"`);
  }
  if ((payload.scope ?? "") !== (options.scope ?? "")) {
    throw mismatch(`scope mismatch: bundle signed for "${payload.scope ?? ""}", expected "${options.scope ?? ""}"`);
  }
  checkFiles(contents, payload.files);
  return { algorithm: verified.protectedHeader.alg, keyId, files: payload.files.size };
}
