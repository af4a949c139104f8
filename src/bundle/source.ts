// Loads a bundle from a local path or an http(s) URL with OPA bundle-service semantics: the caller
// passes the ETag it holds, the server answers 304 when nothing changed. Local files get the same
// contract through a content-derived ETag, so one polling loop serves both.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { AegisError } from "../errors/registry.ts";
import { readBundle, type BundleContents } from "./read.ts";
import { MAX_UNPACKED_BYTES } from "./tar-gz.ts";
import { verifyBundle, type VerifiedSignature } from "./verify.ts";

export const DEFAULT_FETCH_TIMEOUT_MS = 10_000;

export interface LoadBundleOptions {
  /** When set, the bundle must carry a signature that verifies with this key. */
  readonly verificationKey?: string;
  readonly keyId?: string;
  /** Only this JWS algorithm is accepted; default: decided by the key's type. */
  readonly signingAlg?: string;
  readonly scope?: string;
  /** Refuse unsigned bundles; needs verificationKey. */
  readonly requireSignature?: boolean;
  /** The ETag of the bundle already loaded; an unchanged bundle answers { notModified: true }. */
  readonly etag?: string;
  readonly fetchTimeoutMs?: number;
  /** Extra request headers for http(s) sources, e.g. authorization for a bundle service. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface LoadedBundle {
  readonly contents: BundleContents;
  readonly etag?: string;
  /** The signature check that passed, or null when no verification key was given. */
  readonly verified: VerifiedSignature | null;
}

export type LoadBundleResult = LoadedBundle | { readonly notModified: true };

function isHttp(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

interface RawBundle {
  readonly bytes: Uint8Array;
  readonly etag?: string;
}

async function fetchBundle(url: string, options: LoadBundleOptions): Promise<RawBundle | null> {
  const headers: Record<string, string> = { accept: "application/gzip, application/octet-stream, */*", ...options.headers };
  if (options.etag !== undefined) headers["if-none-match"] = options.etag;
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS) });
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
    throw new AegisError("AEGIS_ERR_BUNDLE_FETCH", `GET ${url} failed: ${cause}`, { cause: err });
  }
  if (response.status === 304) return null;
  if (!response.ok) {
    await response.body?.cancel();
    throw new AegisError("AEGIS_ERR_BUNDLE_FETCH", `GET ${url} answered ${response.status} ${response.statusText}`, {
      details: { status: response.status },
    });
  }
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > MAX_UNPACKED_BYTES) {
    await response.body?.cancel();
    throw new AegisError("AEGIS_ERR_BUNDLE_FETCH", `GET ${url}: bundle of ${declared} bytes is too large`);
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (err) {
    throw new AegisError("AEGIS_ERR_BUNDLE_FETCH", `GET ${url}: reading the body failed: ${(err as Error).message}`, { cause: err });
  }
  const etag = response.headers.get("etag");
  return etag === null ? { bytes } : { bytes, etag };
}

async function readLocalBundle(source: string, etag: string | undefined): Promise<RawBundle | null> {
  const path = source.startsWith("file://") ? fileURLToPath(source) : source;
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (err) {
    throw new AegisError("AEGIS_ERR_BUNDLE_READ", `cannot read bundle ${path}: ${(err as Error).message}`, { cause: err });
  }
  const localEtag = `"sha256-${createHash("sha256").update(bytes).digest("hex")}"`;
  return localEtag === etag ? null : { bytes, etag: localEtag };
}

export async function loadBundleSource(source: string, options: LoadBundleOptions = {}): Promise<LoadBundleResult> {
  if (options.requireSignature === true && options.verificationKey === undefined) {
    throw new AegisError("AEGIS_ERR_CONFIG_INVALID", "a bundle signature is required but no verification key is configured");
  }
  const raw = isHttp(source) ? await fetchBundle(source, options) : await readLocalBundle(source, options.etag);
  if (raw === null) return { notModified: true };
  const contents = await readBundle(raw.bytes);
  let verified: VerifiedSignature | null = null;
  if (options.verificationKey !== undefined) {
    verified = await verifyBundle(contents, {
      key: options.verificationKey,
      ...(options.keyId === undefined ? {} : { keyId: options.keyId }),
      ...(options.signingAlg === undefined ? {} : { alg: options.signingAlg }),
      ...(options.scope === undefined ? {} : { scope: options.scope }),
    });
  }
  return { contents, ...(raw.etag === undefined ? {} : { etag: raw.etag }), verified };
}
