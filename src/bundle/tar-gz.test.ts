// The caps of the streaming unpacker hold while the bytes arrive: a bomb is refused at its header,
// padding after the archive is never pulled from the source, and every cap has its own message.
import { gunzipSync, gzipSync } from "node:zlib";
import { Header, Pax } from "tar";
import { describe, expect, it } from "vitest";
import { fakeBundle, fakeBundleFiles } from "../../test/bundle/helpers.ts";
import { isAegisError } from "../errors/registry.ts";
import { DEFAULT_BUNDLE_LIMITS, type BundleLimits } from "./limits.ts";
import { packTarGz, unpackTarGz, unpackTarGzStream } from "./tar-gz.ts";

/** Hands out `bytes` in chunks (64 KiB, as a file is read) and counts how many were pulled. */
function counted(bytes: Uint8Array, chunk = 64 * 1024): { chunks: AsyncIterable<Uint8Array>; pulled: () => number; total: number } {
  let pulled = 0;
  const total = Math.ceil(bytes.byteLength / chunk);
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < bytes.byteLength; i += chunk) {
      pulled += 1;
      yield bytes.subarray(i, i + chunk);
    }
  }
  return { chunks: chunks(), pulled: () => pulled, total };
}

function header(path: string, size: number): Buffer {
  const h = new Header({ path, mode: 0o644, size, type: "File", mtime: new Date(0) });
  h.encode();
  return h.block as Buffer;
}

async function refused(bytes: Uint8Array | AsyncIterable<Uint8Array>, limits: Partial<BundleLimits>): Promise<{ code: string; message: string }> {
  try {
    await (bytes instanceof Uint8Array ? unpackTarGz(bytes, { ...DEFAULT_BUNDLE_LIMITS, ...limits }) : unpackTarGzStream(bytes, { ...DEFAULT_BUNDLE_LIMITS, ...limits }));
  } catch (err) {
    if (isAegisError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error("unpacked");
}

describe("unpackTarGzStream", () => {
  it("unpacks what packTarGz packed, byte for byte", async () => {
    const files = fakeBundleFiles();
    const unpacked = await unpackTarGzStream(counted(packTarGz(files)).chunks);
    expect([...unpacked.keys()].sort()).toEqual([...files.keys()].sort());
    for (const [name, body] of files) expect(unpacked.get(name)).toEqual(body);
  });

  it("stops at the end-of-archive marker: 32 MiB of zeros after it are neither inflated nor pulled", async () => {
    // 32 MiB of zeros deflate to ~32 KiB: read in 1 KiB pieces, almost none may be pulled.
    const padded = gzipSync(Buffer.concat([gunzipSync(fakeBundle()), Buffer.alloc(32 * 1024 * 1024)]));
    const source = counted(padded, 1024);
    const files = await unpackTarGzStream(source.chunks);
    expect(files.has(".manifest")).toBe(true);
    expect(source.total).toBeGreaterThan(30);
    expect(source.pulled()).toBeLessThan(5);
  });

  it("does not read zeros appended after the gzip stream either", async () => {
    const appended = Buffer.concat([fakeBundle(), Buffer.alloc(32 * 1024 * 1024)]);
    const source = counted(appended);
    expect((await unpackTarGzStream(source.chunks)).has(".manifest")).toBe(true);
    expect(source.pulled()).toBeLessThanOrEqual(2);
  });

  it("calls other bytes right after the gzip stream unreadable", async () => {
    expect(await refused(Buffer.concat([fakeBundle(), Buffer.alloc(100, 0xff)]), {})).toEqual({ code: "AEGIS_ERR_BUNDLE_READ", message: expect.stringMatching(/not a readable/) });
  });

  it("refuses an entry whose header declares more than maxEntryBytes before reading its content", async () => {
    // The header claims 2 GiB; only 1 MiB of zeros follows, and none of it needs to be read.
    const bomb = gzipSync(Buffer.concat([header("/data.json", 2 * 1024 ** 3), Buffer.alloc(1024 * 1024)]));
    const source = counted(bomb);
    const error = await refused(source.chunks, {});
    expect(error.code).toBe("AEGIS_ERR_BUNDLE_TOO_LARGE");
    expect(error.message).toMatch(/data.json" declares 2147483648 bytes/);
  });

  it("refuses entries that together declare more than maxDecompressedBytes, at the header that tips it", async () => {
    // 2,048 bytes arrive in all, but the second header promises 1,600 more than the cap allows.
    const tar = Buffer.concat([header("a", 600), Buffer.alloc(1024), header("b", 1600)]);
    expect(await refused(gzipSync(tar), { maxDecompressedBytes: 2100 })).toEqual({ code: "AEGIS_ERR_BUNDLE_TOO_LARGE", message: expect.stringMatching(/declare more than 2100 bytes/) });
  });

  it("refuses a stream that inflates past maxDecompressedBytes in metadata no entry size counts", async () => {
    // Ten 500 KB PAX extended headers before one 1-byte file.
    const pax = new Pax({ comment: "x".repeat(500_000), path: "a" } as ConstructorParameters<typeof Pax>[0]).encode();
    const tar = Buffer.concat([...Array.from({ length: 10 }, () => pax), header("a", 1), Buffer.alloc(512), Buffer.alloc(1024)]);
    expect(await refused(gzipSync(tar), { maxDecompressedBytes: 1024 * 1024 })).toEqual({ code: "AEGIS_ERR_BUNDLE_TOO_LARGE", message: expect.stringMatching(/inflates to more than 1048576/) });
  });

  it("refuses more than maxEntries entries", async () => {
    const many = new Map(Array.from({ length: 20 }, (_, i) => [`f${i}.rego`, new Uint8Array(1)] as const));
    expect((await refused(packTarGz(many), { maxEntries: 10 })).message).toMatch(/more than 10 entries/);
  });

  it("refuses a source longer than maxCompressedBytes", async () => {
    expect((await refused(fakeBundle(), { maxCompressedBytes: 100 })).message).toMatch(/larger than 100 bytes/);
  });
});
