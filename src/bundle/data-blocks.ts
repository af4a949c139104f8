// data.json held as independently compressed blocks of consecutive bytes, cut between agents so
// one agent's bytes sit in one block: a call's slice decompresses one agent block (plus the
// tenant's surroundings, cached by the slicer), and the server never holds data.json raw. Built on
// the loader thread; the blocks are plain typed arrays, so they cross threads without copying.
import { constants, zstdCompressSync, zstdDecompressSync } from "node:zlib";
import type { DataBytes } from "./data-bytes.ts";
import type { DataIndex } from "./data-index.ts";

export interface DataBlocks {
  readonly byteLength: number;
  /** The compressed blocks, concatenated: block i is compressed[compressedEnds[i-1] ?? 0, compressedEnds[i]). */
  readonly compressed: Uint8Array;
  readonly compressedEnds: Uint32Array;
  /** Raw offset where block i starts (rawStarts[blockCount] === byteLength). */
  readonly rawStarts: Uint32Array;
}

/**
 * Raw bytes per block before a cut. Measured on the 100k-agent bench bundle (101 MiB): 16 KiB
 * compresses 15x (7 MB) and a slice not yet parsed costs ~66 us p50; 32 KiB 21x (4.9 MB) but ~87 us.
 */
export const BLOCK_BYTES = 16 * 1024;
/** Decompressed blocks kept (at most ~BLOCK_BYTES each, more for a block holding one large agent). */
export const BLOCK_CACHE = 32;

const ZSTD_LEVEL = 1;

/** Raw offsets where blocks start: 0, then agent key starts, at least BLOCK_BYTES apart. */
function cutPoints(index: DataIndex, blockBytes: number): number[] {
  let count = 0;
  for (const t of index.tenants ?? []) count += t.agentNameEnds.length;
  const starts = new Uint32Array(count);
  let n = 0;
  for (const t of index.tenants ?? []) for (let i = 0; i < t.agentNameEnds.length; i++) starts[n++] = t.agentRanges[4 * i]!;
  starts.sort();
  const cuts = [0];
  for (const s of starts) if (s - cuts[cuts.length - 1]! >= blockBytes) cuts.push(s);
  return cuts;
}

export function compressDataBlocks(bytes: Uint8Array, index: DataIndex, blockBytes = BLOCK_BYTES): DataBlocks {
  const cuts = cutPoints(index, blockBytes);
  const rawStarts = Uint32Array.from([...cuts, bytes.byteLength]);
  const parts: Uint8Array[] = [];
  const compressedEnds = new Uint32Array(cuts.length);
  let total = 0;
  for (let i = 0; i < cuts.length; i++) {
    // An exact-size copy: the result is a view into zlib's larger output chunk, which would stay allocated with it.
    const part = zstdCompressSync(bytes.subarray(rawStarts[i], rawStarts[i + 1]), { params: { [constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL } }).slice();
    parts.push(part);
    total += part.byteLength;
    compressedEnds[i] = total;
  }
  const compressed = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    compressed.set(p, at);
    at += p.byteLength;
  }
  return { byteLength: bytes.byteLength, compressed, compressedEnds, rawStarts };
}

export function isDataBlocks(data: object): data is DataBlocks {
  return "compressedEnds" in data;
}

export function dataBlocksBuffers(blocks: DataBlocks): ArrayBuffer[] {
  return [blocks.compressed.buffer, blocks.compressedEnds.buffer, blocks.rawStarts.buffer] as ArrayBuffer[];
}

/** Reads ranges of the raw bytes, decompressing the blocks they fall in (the last BLOCK_CACHE stay decompressed). */
export function blockReader(blocks: DataBlocks, cacheSize = BLOCK_CACHE): DataBytes {
  const cache = new Map<number, Uint8Array>();
  const { compressed, compressedEnds, rawStarts } = blocks;
  const blockCount = compressedEnds.length;

  const decompress = (i: number): Uint8Array => new Uint8Array(zstdDecompressSync(compressed.subarray(i === 0 ? 0 : compressedEnds[i - 1]!, compressedEnds[i])));
  const block = (i: number): Uint8Array => {
    const hit = cache.get(i);
    if (hit !== undefined) {
      cache.delete(i);
      cache.set(i, hit);
      return hit;
    }
    const raw = decompress(i);
    cache.set(i, raw);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value as number);
    return raw;
  };

  /** The block holding raw offset `at` (the last block whose start is <= at). */
  const blockAt = (at: number): number => {
    let lo = 0;
    let hi = blockCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (rawStarts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };

  return {
    byteLength: blocks.byteLength,
    read(start, end) {
      if (end <= start) return new Uint8Array(0);
      const first = blockAt(start);
      const firstEnd = rawStarts[first + 1]!;
      if (end <= firstEnd) return block(first).subarray(start - rawStarts[first]!, end - rawStarts[first]!);
      const out = new Uint8Array(end - start);
      for (let i = first, at = start; at < end; i++) {
        const b = block(i);
        const upto = Math.min(end, rawStarts[i + 1]!);
        out.set(b.subarray(at - rawStarts[i]!, upto - rawStarts[i]!), at - start);
        at = upto;
      }
      return out;
    },
  };
}
