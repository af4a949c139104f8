// The file sink: appends to `path`, rotates to path.1, path.2, ... (newest first), and on open
// finds where an existing chain left off so a restarted writer continues it.
import { close, closeSync, existsSync, fdatasync, fstatSync, ftruncate, ftruncateSync, mkdirSync, openSync, write, writeSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { promisify } from "node:util";
import { readFileTail } from "./last-line.ts";
import { resumePointOf, type ResumePoint } from "./resume-point.ts";
import type { LogSink } from "./sink.ts";

const writeAsync = promisify(write);
const truncateAsync = promisify(ftruncate);
const datasyncAsync = promisify(fdatasync);
const closeAsync = promisify(close);

// Decisions name tenants, agents and tools: not for every local user to read.
const FILE_MODE = 0o640;

export interface FileSinkOptions {
  readonly path: string;
  /** Rotated files kept (path.1 ... path.N, N >= 1); older ones are deleted. Unset keeps them all. */
  readonly maxFiles?: number;
}

export interface OpenedFileSink {
  readonly sink: LogSink;
  /** null when the writer starts a new chain. */
  readonly resume: ResumePoint | null;
  /** Bytes of an interrupted last write that were cut off before continuing. */
  readonly tornBytesRemoved: number;
  /** Size of the current file after opening. */
  readonly sizeBytes: number;
}

export function rotatedPath(path: string, index: number): string {
  return `${path}.${index}`;
}

/** Opens synchronously: the writer must know the chain position before its first append returns. */
export function openFileSink(options: FileSinkOptions): OpenedFileSink {
  const { path } = options;
  mkdirSync(dirname(path), { recursive: true });
  let resume: ResumePoint | null = null;
  let tornBytesRemoved = 0;
  let carriedFirstLine: string | null = null;

  if (existsSync(path)) {
    const tail = readFileTail(path);
    if (tail.tornBytes > 0) {
      // A crash mid-write leaves a partial line; it never became part of the chain.
      const fd = openSync(path, "r+");
      try {
        ftruncateSync(fd, tail.completeBytes);
      } finally {
        closeSync(fd);
      }
      tornBytesRemoved = tail.tornBytes;
    }
    if (tail.lastLine !== null) resume = resumePointOf(tail.lastLine, path);
  }
  if (resume === null && existsSync(rotatedPath(path, 1))) {
    // A crash between renaming the full file and starting the new one: carry the rotate checkpoint over.
    const previous = readFileTail(rotatedPath(path, 1));
    // Anything else there (a file moved by an external tool) ended its chain: start a new one.
    const carried = previous.lastLine === null ? null : resumePointOf(previous.lastLine, rotatedPath(path, 1));
    if (carried?.rotated === true) {
      resume = carried;
      carriedFirstLine = previous.lastLine;
    }
  }

  let fd = openSync(path, "a", FILE_MODE);
  if (carriedFirstLine !== null) writeSync(fd, `${carriedFirstLine}\n`);
  let goodSize = fstatSync(fd).size;

  async function writeAll(buffer: Buffer): Promise<void> {
    let offset = 0;
    while (offset < buffer.length) {
      offset += (await writeAsync(fd, buffer, offset, buffer.length - offset)).bytesWritten;
    }
  }

  async function shiftRotated(): Promise<void> {
    let highest = 0;
    while (existsSync(rotatedPath(path, highest + 1))) highest += 1;
    const keep = options.maxFiles;
    for (let index = highest; index >= 1; index--) {
      if (keep !== undefined && index >= keep) await rm(rotatedPath(path, index), { force: true });
      else await rename(rotatedPath(path, index), rotatedPath(path, index + 1));
    }
    await rename(path, rotatedPath(path, 1));
  }

  const sink: LogSink = {
    async write(text) {
      const buffer = Buffer.from(text, "utf8");
      try {
        await writeAll(buffer);
        goodSize += buffer.length;
      } catch (err) {
        // A short write (ENOSPC) may have left part of a line; cut back so a retry cannot tear the chain.
        await truncateAsync(fd, goodSize).catch(() => undefined);
        throw err;
      }
    },
    async sync() {
      await datasyncAsync(fd);
    },
    async rotate(firstLine) {
      await datasyncAsync(fd);
      await closeAsync(fd);
      await shiftRotated();
      fd = openSync(path, "a", FILE_MODE);
      goodSize = 0;
      await sink.write(`${firstLine}\n`);
    },
    async close() {
      await datasyncAsync(fd);
      await closeAsync(fd);
    },
  };
  return { sink, resume, tornBytesRemoved, sizeBytes: goodSize };
}
