// tar.gz in and out. Unpacking streams: the compressed bytes, the inflated bytes, the entry count
// and each entry's declared size are counted against hard caps while they arrive, and reading stops
// at the end-of-archive marker, so neither a gzip bomb nor padding after the archive is ever
// inflated. Files are held in memory only (a hostile archive never touches the disk); paths are
// normalised the way OPA's tarball loader sees them (no leading "/" or "./").
import { createGunzip, gzipSync } from "node:zlib";
import { Header, Parser, Pax, type ReadEntry } from "tar";
import { AegisError } from "../errors/registry.ts";
import { DEFAULT_BUNDLE_LIMITS, tooLarge, type BundleLimits } from "./limits.ts";

function invalid(message: string): AegisError {
  return new AegisError("AEGIS_ERR_BUNDLE_INVALID", message);
}

function unreadable(err: unknown): AegisError {
  if (err instanceof AegisError) return err;
  return new AegisError("AEGIS_ERR_BUNDLE_READ", `not a readable .tar.gz bundle: ${(err as Error).message}`, { cause: err });
}

/** "/aegis/x.rego", "./aegis/x.rego" → "aegis/x.rego"; rejects names that escape the bundle root. */
export function normalizeEntryPath(raw: string): string {
  const segments = raw.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.some((s) => s === "..")) throw invalid(`bundle entry "${raw}" leaves the bundle root`);
  return segments.join("/");
}

const isGzip = (chunk: Uint8Array): boolean => chunk[0] === 0x1f && chunk[1] === 0x8b;

const INFLATE_SLICE = 16 * 1024;

/** Counts and collects the entries of one tar stream; `done` settles at end-of-archive or on the first error. */
class EntryCollector {
  readonly files = new Map<string, Uint8Array>();
  readonly done: Promise<void>;
  readonly parser: Parser;
  #entries = 0;
  #declared = 0;
  /** Files whose declared bytes have not all arrived yet. */
  readonly #incomplete = new Set<string>();
  #settled = false;
  #resolve!: () => void;
  #reject!: (err: AegisError) => void;
  readonly #limits: BundleLimits;

  constructor(limits: BundleLimits) {
    this.#limits = limits;
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Plain tar only: the caller inflates, so the caps see every byte. strict turns tar warnings
    // (bad checksum, truncated entry) into errors.
    this.parser = new Parser({ strict: true, brotli: false, zstd: false });
    this.parser.on("entry", (entry: ReadEntry) => this.#onEntry(entry));
    this.parser.on("error", (err: unknown) => this.fail(err));
    this.parser.on("abort", (err: unknown) => this.fail(err));
    // Two zero blocks: the archive is complete, whatever follows it is never read.
    this.parser.on("eof", () => this.#finish());
    this.parser.on("end", () => this.#finish());
  }

  get settled(): boolean {
    return this.#settled;
  }

  fail(err: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(unreadable(err));
  }

  #finish(): void {
    if (this.#settled) return;
    // The parser announces the end only after the last entry's bytes; this holds it to that.
    const [short] = this.#incomplete;
    if (short !== undefined) return this.fail(new AegisError("AEGIS_ERR_BUNDLE_READ", `not a readable .tar.gz bundle: entry "${short}" is truncated`));
    this.#settled = true;
    this.#resolve();
  }

  #onEntry(entry: ReadEntry): void {
    if (this.#settled) return void entry.resume();
    try {
      this.#entries += 1;
      if (this.#entries > this.#limits.maxEntries) throw tooLarge(`bundle has more than ${this.#limits.maxEntries} entries`, { limit: "max_entries" });
      if (entry.type === "Directory") return void entry.resume();
      if (entry.type !== "File" && entry.type !== "OldFile") {
        throw invalid(`bundle entry "${entry.path}" is a ${entry.type}; only regular files are allowed`);
      }
      const path = normalizeEntryPath(entry.path);
      if (path === "") throw invalid(`bundle entry "${entry.path}" has no name`);
      if (this.files.has(path)) throw invalid(`bundle holds "${path}" twice`);
      const size = entry.size;
      if (size > this.#limits.maxEntryBytes) {
        throw tooLarge(`bundle entry "${path}" declares ${size} bytes, more than the limit of ${this.#limits.maxEntryBytes}`, { limit: "max_entry_bytes" });
      }
      this.#declared += size;
      if (this.#declared > this.#limits.maxDecompressedBytes) {
        throw tooLarge(`bundle entries declare more than ${this.#limits.maxDecompressedBytes} bytes`, { limit: "max_decompressed_bytes" });
      }
      // The header says how large the file is, so its bytes land in one buffer of that size.
      const body = new Uint8Array(size);
      let offset = 0;
      this.#incomplete.add(path);
      entry.on("data", (chunk: Buffer) => {
        body.set(chunk.subarray(0, Math.max(0, size - offset)), offset);
        offset += chunk.byteLength;
      });
      entry.on("end", () => {
        if (offset === size) this.#incomplete.delete(path);
      });
      this.files.set(path, body);
    } catch (err) {
      entry.resume();
      this.fail(err);
    }
  }
}

/**
 * Every regular file of a .tar.gz (or plain .tar) read from `chunks`, by normalised path; directory
 * entries are skipped. Breaking off early (end-of-archive, a cap, an error) ends the iteration,
 * which closes the file or the response behind it.
 */
export async function unpackTarGzStream(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, limits: BundleLimits = DEFAULT_BUNDLE_LIMITS): Promise<Map<string, Uint8Array>> {
  const collector = new EntryCollector(limits);
  const stopped = collector.done.then(() => undefined, () => undefined);
  const gunzip = createGunzip();
  let compressed = 0;
  let inflated = 0;
  const toParser = (chunk: Uint8Array): void => {
    if (collector.settled) return;
    inflated += chunk.byteLength;
    if (inflated > limits.maxDecompressedBytes) {
      collector.fail(tooLarge(`bundle inflates to more than ${limits.maxDecompressedBytes} bytes`, { limit: "max_decompressed_bytes" }));
      return;
    }
    collector.parser.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  };
  // Each slice is inflated completely (its bytes reach the parser) before the next is written, so
  // at most one slice's worth (≤ ~16 MiB at deflate's ratio limit) is inflated past a cap or the end.
  const inflate = async (chunk: Uint8Array): Promise<void> => {
    for (let at = 0; at < chunk.byteLength && !collector.settled; at += INFLATE_SLICE) {
      const slice = chunk.subarray(at, at + INFLATE_SLICE);
      await Promise.race([new Promise<void>((resolve) => gunzip.write(slice, () => resolve())), stopped]);
    }
  };
  gunzip.on("data", toParser);
  gunzip.on("error", (err) => collector.fail(err));
  gunzip.on("end", () => collector.parser.end());
  let gzipped: boolean | null = null;
  try {
    for await (const chunk of chunks) {
      if (collector.settled) break;
      compressed += chunk.byteLength;
      if (compressed > limits.maxCompressedBytes) {
        throw tooLarge(`bundle is larger than ${limits.maxCompressedBytes} bytes`, { limit: "max_compressed_bytes" });
      }
      if (chunk.byteLength === 0) continue;
      gzipped ??= isGzip(chunk);
      if (gzipped) await inflate(chunk);
      else toParser(chunk);
      if (collector.settled) break;
    }
    if (!collector.settled) {
      if (gzipped === true) gunzip.end();
      else collector.parser.end();
    }
    await collector.done;
    return collector.files;
  } finally {
    gunzip.destroy();
  }
}

/** unpackTarGzStream over bytes already in memory. */
export function unpackTarGz(bytes: Uint8Array, limits: BundleLimits = DEFAULT_BUNDLE_LIMITS): Promise<Map<string, Uint8Array>> {
  return unpackTarGzStream([bytes], limits);
}

const BLOCK = 512;

/**
 * Packs `files` into a gzipped tar in memory, named with a leading "/" as OPA's bundle writer does:
 * OPA resolves the manifest's wasm module "/policy.wasm" against entry names verbatim, so a bundle
 * packed as "policy.wasm" is refused. Sorted names and a zero mtime make the output reproducible.
 */
export function packTarGz(files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const name of [...files.keys()].sort()) {
    const body = files.get(name) ?? new Uint8Array(0);
    const fields = { path: `/${normalizeEntryPath(name)}`, mode: 0o644, uid: 0, gid: 0, size: body.byteLength, mtime: new Date(0), type: "File" as const };
    const header = new Header(fields);
    // Long names do not fit a ustar header; a PAX extended header carries them.
    if (header.encode()) blocks.push(new Pax(fields).encode());
    if (header.block === undefined) throw new AegisError("AEGIS_ERR_BUNDLE_WRITE", `cannot encode a tar header for "${name}"`);
    blocks.push(header.block, body, new Uint8Array((BLOCK - (body.byteLength % BLOCK)) % BLOCK));
  }
  blocks.push(new Uint8Array(2 * BLOCK));
  return new Uint8Array(gzipSync(Buffer.concat(blocks)));
}
