// Loads a bundle from a local path or an http(s) URL with OPA bundle-service semantics: the caller
// passes the ETag it holds, the server answers 304 when nothing changed. Local files get the same
// contract through a content-derived ETag, so one polling loop serves both.
import { createHash } from "node:crypto";
import { open, type FileHandle } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { AegisError } from "../errors/registry.ts";
import { tooLarge, withDefaultLimits, type BundleLimits } from "./limits.ts";
import type { BundleContents } from "./read.ts";
import type { VerifiedSignature } from "./verify.ts";

// Unpacking (tar), verifying (jose) and the schema (ajv) load on first use: a poll that finds
// nothing new (304, same ETag) never pays for them, which keeps the server's loader thread cheap.
const stages = async () => {
  const [read, verify, schema] = await Promise.all([import("./read.ts"), import("./verify.ts"), import("./data-schema.ts")]);
  return { readBundleStream: read.readBundleStream, verifyBundle: verify.verifyBundle, checkBundleDataBytes: schema.checkBundleDataBytes };
};

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
  /**
   * The ETag of the bundle already seen (loaded, or refused: a refusal carries its ETag in
   * `details.etag`); an unchanged bundle answers { notModified: true }.
   */
  readonly etag?: string;
  readonly fetchTimeoutMs?: number;
  /** Extra request headers for http(s) sources, e.g. authorization for a bundle service. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Caps on reading; each one missing takes its DEFAULT_BUNDLE_LIMITS value. */
  readonly limits?: Partial<BundleLimits>;
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
  /** The compressed bytes, read only as far as the archive goes. */
  readonly chunks: AsyncIterable<Uint8Array>;
  readonly etag?: string;
  /** Releases what `chunks` reads from (a file handle); safe to call twice. */
  close(): Promise<void>;
}

async function* responseChunks(url: string, body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield* body;
  } catch (err) {
    throw new AegisError("AEGIS_ERR_BUNDLE_FETCH", `GET ${url}: reading the body failed: ${(err as Error).message}`, { cause: err });
  }
}

async function fetchBundle(url: string, options: LoadBundleOptions, limits: BundleLimits): Promise<RawBundle | null> {
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
  const etag = response.headers.get("etag") ?? undefined;
  if (!response.ok) {
    await response.body?.cancel();
    throw new AegisError("AEGIS_ERR_BUNDLE_FETCH", `GET ${url} answered ${response.status} ${response.statusText}`, {
      details: { status: response.status },
    });
  }
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > limits.maxCompressedBytes) {
    await response.body?.cancel();
    throw tooLarge(`GET ${url}: bundle of ${declared} bytes is larger than ${limits.maxCompressedBytes} bytes`, { limit: "max_compressed_bytes", ...(etag === undefined ? {} : { etag }) });
  }
  const body = response.body;
  const chunks = responseChunks(url, (body ?? []) as AsyncIterable<Uint8Array>);
  // Reading stops at end-of-archive (the iterator's return cancels the body); a body never read is cancelled here.
  const close = async (): Promise<void> => {
    if (body !== null && !body.locked) await body.cancel().catch(() => undefined);
  };
  return { chunks, ...(etag === undefined ? {} : { etag }), close };
}

const READ_CHUNK = 64 * 1024;

async function* fileChunks(file: FileHandle, size: number): AsyncGenerator<Uint8Array> {
  for (let position = 0; position < size; ) {
    const buffer = new Uint8Array(Math.min(READ_CHUNK, size - position));
    const { bytesRead } = await file.read(buffer, 0, buffer.byteLength, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

async function readLocalBundle(source: string, etag: string | undefined, limits: BundleLimits): Promise<RawBundle | null> {
  const path = source.startsWith("file://") ? fileURLToPath(source) : source;
  let file: FileHandle;
  let size: number;
  try {
    file = await open(path, "r");
    size = (await file.stat()).size;
  } catch (err) {
    throw new AegisError("AEGIS_ERR_BUNDLE_READ", `cannot read bundle ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    if (size > limits.maxCompressedBytes) {
      // Not even hashed; the size stands in for an ETag so the same file is refused once.
      const sizeTag = `"size-${size}"`;
      if (sizeTag === etag) return await file.close().then(() => null);
      throw tooLarge(`bundle ${path} is ${size} bytes, larger than ${limits.maxCompressedBytes} bytes`, { limit: "max_compressed_bytes", etag: sizeTag });
    }
    // Both passes read the same open file, so a rename in between cannot mix two bundles.
    const hash = createHash("sha256");
    for await (const chunk of fileChunks(file, size)) hash.update(chunk);
    const localEtag = `"sha256-${hash.digest("hex")}"`;
    if (localEtag === etag) return await file.close().then(() => null);
    return { chunks: fileChunks(file, size), etag: localEtag, close: () => file.close() };
  } catch (err) {
    await file.close();
    throw err;
  }
}

/** A refusal carries the bundle's ETag, so the caller can skip the same bundle at the next poll. */
function withEtag(err: unknown, etag: string | undefined): unknown {
  if (etag === undefined || !(err instanceof AegisError) || err.details?.etag !== undefined) return err;
  return new AegisError(err.code, err.message, { cause: err.cause ?? err, details: { ...err.details, etag } });
}

/**
 * The one bundle loader: fetch or read (streaming, within the limits), unpack, check the layout,
 * verify the signature, check data.json against its schema. `aegis serve` runs it on a worker
 * thread (loadBundleOffThread); the CLI and the SDK call it directly.
 */
export async function loadBundleSource(source: string, options: LoadBundleOptions = {}): Promise<LoadBundleResult> {
  if (options.requireSignature === true && options.verificationKey === undefined) {
    throw new AegisError("AEGIS_ERR_CONFIG_INVALID", "a bundle signature is required but no verification key is configured");
  }
  const limits = withDefaultLimits(options.limits);
  const raw = isHttp(source) ? await fetchBundle(source, options, limits) : await readLocalBundle(source, options.etag, limits);
  if (raw === null) return { notModified: true };
  try {
    const { readBundleStream, verifyBundle, checkBundleDataBytes } = await stages();
    const contents = await readBundleStream(raw.chunks, limits);
    let verified: VerifiedSignature | null = null;
    if (options.verificationKey !== undefined) {
      verified = await verifyBundle(contents, {
        key: options.verificationKey,
        ...(options.keyId === undefined ? {} : { keyId: options.keyId }),
        ...(options.signingAlg === undefined ? {} : { alg: options.signingAlg }),
        ...(options.scope === undefined ? {} : { scope: options.scope }),
      });
    }
    // Authentic first, then well-formed: a forged bundle is reported as forged.
    checkBundleDataBytes(contents.dataJson, contents.dataIndex);
    return { contents, ...(raw.etag === undefined ? {} : { etag: raw.etag }), verified };
  } catch (err) {
    throw withEtag(err, raw.etag);
  } finally {
    await raw.close();
  }
}
