// tar.gz in and out. Unpacking happens in memory, so a hostile archive never touches the disk;
// paths are normalised the way OPA's tarball loader sees them (no leading "/" or "./").
import { gzipSync } from "node:zlib";
import { Header, Parser, Pax, type ReadEntry } from "tar";
import { AegisError } from "../errors/registry.ts";

/** Same guard as OPA's default bundle size limit: a gzip bomb stops here. */
export const MAX_UNPACKED_BYTES = 1024 * 1024 * 1024;

function invalid(message: string): AegisError {
  return new AegisError("AEGIS_ERR_BUNDLE_INVALID", message);
}

/** "/aegis/x.rego", "./aegis/x.rego" → "aegis/x.rego"; rejects names that escape the bundle root. */
export function normalizeEntryPath(raw: string): string {
  const segments = raw.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.some((s) => s === "..")) throw invalid(`bundle entry "${raw}" leaves the bundle root`);
  return segments.join("/");
}

/** Every regular file of a .tar.gz (or plain .tar), by normalised path. Directory entries are skipped. */
export function unpackTarGz(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  return new Promise((resolve, reject) => {
    const files = new Map<string, Uint8Array>();
    let total = 0;
    let failed = false;
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      reject(
        err instanceof AegisError
          ? err
          : new AegisError("AEGIS_ERR_BUNDLE_READ", `not a readable .tar.gz bundle: ${(err as Error).message}`, { cause: err }),
      );
    };
    const parser = new Parser({ strict: true });
    parser.on("entry", (entry: ReadEntry) => {
      if (failed) return void entry.resume();
      if (entry.type === "Directory") return void entry.resume();
      try {
        if (entry.type !== "File" && entry.type !== "OldFile") {
          throw invalid(`bundle entry "${entry.path}" is a ${entry.type}; only regular files are allowed`);
        }
        const path = normalizeEntryPath(entry.path);
        if (path === "") throw invalid(`bundle entry "${entry.path}" has no name`);
        if (files.has(path)) throw invalid(`bundle holds "${path}" twice`);
        total += entry.size;
        if (total > MAX_UNPACKED_BYTES) throw invalid(`bundle unpacks to more than ${MAX_UNPACKED_BYTES} bytes`);
        const chunks: Buffer[] = [];
        entry.on("data", (chunk: Buffer) => chunks.push(chunk));
        entry.on("end", () => files.set(path, new Uint8Array(Buffer.concat(chunks))));
        files.set(path, new Uint8Array(0));
      } catch (err) {
        entry.resume();
        fail(err);
      }
    });
    parser.on("error", fail);
    parser.on("abort", fail);
    parser.on("end", () => {
      if (!failed) resolve(files);
    });
    parser.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });
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
