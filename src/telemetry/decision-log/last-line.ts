// Reads the last complete line of a file from its end, without reading the whole file.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

export interface FileTail {
  /** The last newline-terminated line, without the newline; null when there is none. */
  readonly lastLine: string | null;
  /** Bytes up to and including the last newline. */
  readonly completeBytes: number;
  /** Bytes after the last newline: a write torn by a crash. */
  readonly tornBytes: number;
}

const CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

export function readFileTail(path: string): FileTail {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    let position = size;
    let buffer = Buffer.alloc(0);
    // Read backwards until the buffer holds the last newline and the one before it (or the file start).
    while (position > 0) {
      const length = Math.min(CHUNK_BYTES, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      readSync(fd, chunk, 0, length, position);
      buffer = Buffer.concat([chunk, buffer]);
      const last = buffer.lastIndexOf(NEWLINE);
      if (last > 0 && buffer.lastIndexOf(NEWLINE, last - 1) >= 0) break;
    }
    const last = buffer.lastIndexOf(NEWLINE);
    if (last < 0) return { lastLine: null, completeBytes: 0, tornBytes: size };
    // lastIndexOf with a negative offset counts from the end, so guard the first-byte case.
    const previous = last > 0 ? buffer.lastIndexOf(NEWLINE, last - 1) : -1;
    const completeBytes = position + last + 1;
    return { lastLine: buffer.subarray(previous + 1, last).toString("utf8"), completeBytes, tornBytes: size - completeBytes };
  } finally {
    closeSync(fd);
  }
}
