// The decision log writer. append() seals the record into the hash chain on the caller's turn
// (so its hash can go on the span at once) and queues the line; a single background pump writes
// queued lines in batches, rotating files and signing checkpoints in chain order.
import { setTimeout as sleep } from "node:timers/promises";
import { AegisError } from "../../errors/registry.ts";
import { createChainBuilder, GENESIS_POSITION } from "./chain-builder.ts";
import type { SealedLine } from "./chain.ts";
import type { CheckpointReason } from "./checkpoint.ts";
import { openFileSink } from "./file-sink.ts";
import {
  checkDecisionLogOptions,
  DEFAULT_CHECKPOINT_EVERY,
  DEFAULT_CHECKPOINT_INTERVAL_MS,
  type DecisionLogLogger,
  type DecisionLogOptions,
  type OverflowMode,
} from "./options.ts";
import { loadSigner } from "./signing-key.ts";
import { createStdoutSink, type LogSink } from "./sink.ts";

export interface AppendResult {
  /** The record's chain hash; "" when the record was not accepted. */
  readonly hash: string;
  readonly accepted: boolean;
}

export interface DecisionLogStats {
  /** Records written to the sink. */
  readonly written: number;
  /** Records refused under drop_count. */
  readonly dropped: number;
  /** Records refused under fail_closed, or appended after close. */
  readonly rejected: number;
  readonly checkpoints: number;
  /** Records waiting to be written. */
  readonly queueDepth: number;
  readonly writeErrors: number;
}

export interface DecisionLog {
  readonly overflow: OverflowMode;
  append(record: object): AppendResult;
  /** Like append, but under overflow "block" waits (FIFO) until the queue has room. */
  appendAsync(record: object): Promise<AppendResult>;
  /** Resolves when everything appended so far is written. */
  flush(): Promise<void>;
  /** Writes the close checkpoint, flushes, syncs and closes the sink. Idempotent. */
  close(): Promise<void>;
  stats(): DecisionLogStats;
}

type QueueItem =
  | { readonly kind: "line"; readonly text: string; readonly record: boolean }
  | { readonly kind: "rotate"; readonly firstLine: string };

interface Blocked {
  readonly record: object;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (err: unknown) => void;
}

const NOT_ACCEPTED: AppendResult = { hash: "", accepted: false };
const CLOSE_WRITE_ATTEMPTS = 3;

const stderrLogger: DecisionLogLogger = {
  warn: (obj, msg) => process.stderr.write(`${JSON.stringify({ level: "warn", msg, ...obj })}\n`),
  error: (obj, msg) => process.stderr.write(`${JSON.stringify({ level: "error", msg, ...obj })}\n`),
};

export function createDecisionLog(options: DecisionLogOptions): DecisionLog {
  checkDecisionLogOptions(options);
  const logger = options.logger ?? stderrLogger;
  const now = options.now ?? (() => new Date());
  const signer = options.signingKeyPem === undefined ? undefined : loadSigner(options.signingKeyPem);
  const checkpointEvery = options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
  const { maxQueue, overflow } = options;
  const { maxRecords, maxDelayMs } = options.batch;

  let sink: LogSink;
  let bytesInFile = 0;
  let resumeCheckpoint: Record<string, unknown> | undefined;
  let chain = createChainBuilder(GENESIS_POSITION, signer, now);
  const maxBytes = options.sink.kind === "file" ? options.sink.maxBytes : undefined;
  if (options.sink.kind === "file") {
    const opened = openFileSink({ path: options.sink.path, ...(options.sink.maxFiles === undefined ? {} : { maxFiles: options.sink.maxFiles }) });
    sink = opened.sink;
    bytesInFile = opened.sizeBytes;
    if (opened.resume !== null) {
      chain = createChainBuilder(opened.resume.position, signer, now);
      resumeCheckpoint = { previous_closed: opened.resume.closed, torn_bytes_removed: opened.tornBytesRemoved };
    }
  } else {
    sink = createStdoutSink();
  }

  const queue: QueueItem[] = [];
  const blocked: Blocked[] = [];
  let queuedRecords = 0;
  let written = 0;
  let dropped = 0;
  let rejected = 0;
  let checkpoints = 0;
  let writeErrors = 0;
  let closed = false;
  let closing: Promise<void> | undefined;
  let pumping: Promise<void> | undefined;
  let batchTimer: NodeJS.Timeout | undefined;

  function enqueue(sealed: SealedLine, record: boolean): void {
    queue.push({ kind: "line", text: sealed.text, record });
    if (record) queuedRecords += 1;
    bytesInFile += Buffer.byteLength(sealed.text) + 1;
  }

  function checkpoint(reason: CheckpointReason, extra?: Record<string, unknown>): void {
    enqueue(chain.checkpoint(reason, extra), false);
    // A close checkpoint must stay the last line of the current file, so it never triggers rotation.
    if (reason !== "close" && reason !== "rotate") rotateIfFull();
  }

  function rotateIfFull(): void {
    if (maxBytes === undefined || bytesInFile <= maxBytes) return;
    const sealed = chain.checkpoint("rotate");
    enqueue(sealed, false);
    // The same rotate checkpoint opens the next file, so each file verifies on its own and the
    // set verifies as one chain.
    queue.push({ kind: "rotate", firstLine: sealed.text });
    bytesInFile = Buffer.byteLength(sealed.text) + 1;
  }

  function appendNow(record: object): AppendResult {
    const sealed = chain.record(record);
    enqueue(sealed, true);
    rotateIfFull();
    if (chain.recordsSinceCheckpoint >= checkpointEvery) checkpoint("interval");
    schedule();
    return { hash: sealed.hash, accepted: true };
  }

  function schedule(): void {
    if (pumping !== undefined) return;
    if (queue.length >= maxRecords) {
      kick();
    } else if (batchTimer === undefined) {
      batchTimer = setTimeout(kick, maxDelayMs);
    }
  }

  function kick(): void {
    if (batchTimer !== undefined) clearTimeout(batchTimer);
    batchTimer = undefined;
    if (pumping !== undefined || queue.length === 0) return;
    pumping = pump().finally(() => {
      pumping = undefined;
      if (queue.length > 0 && !closed) schedule();
    });
    // close() and flush() observe failures; nobody else may see an unhandled rejection.
    pumping.catch(() => undefined);
  }

  async function withRetry(operation: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation();
      } catch (err) {
        writeErrors += 1;
        const giveUp = closed && attempt >= CLOSE_WRITE_ATTEMPTS;
        logger.error({ err: (err as Error).message, attempt, queued: queuedRecords }, giveUp ? "decision log write failed at close; giving up" : "decision log write failed; retrying");
        if (giveUp) throw new AegisError("AEGIS_ERR_DECISION_LOG", `decision log write failed at close; ${queuedRecords} records not written`, { cause: err });
        await sleep(Math.min(5000, 100 * 2 ** (attempt - 1)));
      }
    }
  }

  async function pump(): Promise<void> {
    while (queue.length > 0) {
      const head = queue[0]!;
      if (head.kind === "rotate") {
        await withRetry(() => sink.rotate(head.firstLine));
        queue.shift();
        continue;
      }
      let count = 0;
      let text = "";
      let records = 0;
      for (const item of queue) {
        if (item.kind !== "line" || count >= maxRecords) break;
        text += `${item.text}\n`;
        if (item.record) records += 1;
        count += 1;
      }
      await withRetry(() => sink.write(text));
      queue.splice(0, count);
      queuedRecords -= records;
      written += records;
      checkpoints += count - records;
      // Checkpoints are the promise to the auditor: make sure they reach the disk.
      if (count > records) await sink.sync().catch((err: unknown) => logger.warn({ err: (err as Error).message }, "decision log fsync failed"));
      releaseBlocked();
    }
  }

  function releaseBlocked(): void {
    while (blocked.length > 0 && (closed || queuedRecords < maxQueue)) {
      const waiter = blocked.shift()!;
      try {
        waiter.resolve(appendNow(waiter.record));
      } catch (err) {
        waiter.reject(err);
      }
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0 || pumping !== undefined) {
      kick();
      await pumping;
    }
  }

  let intervalTimer: NodeJS.Timeout | undefined;
  const intervalMs = options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
  if (intervalMs > 0) {
    intervalTimer = setInterval(() => {
      if (chain.recordsSinceCheckpoint === 0 && chain.droppedSinceCheckpoint === 0) return;
      checkpoint("interval");
      schedule();
    }, intervalMs);
    intervalTimer.unref();
  }
  if (resumeCheckpoint !== undefined) {
    checkpoint("open", resumeCheckpoint);
    schedule();
  }

  function append(record: object): AppendResult {
    if (closed) {
      rejected += 1;
      logger.warn({ rejected }, "decision log record appended after close; not written");
      return NOT_ACCEPTED;
    }
    if (queuedRecords >= maxQueue) {
      if (overflow === "drop_count") {
        dropped += 1;
        chain.noteDropped();
        return NOT_ACCEPTED;
      }
      if (overflow === "fail_closed") {
        rejected += 1;
        chain.noteDropped();
        return NOT_ACCEPTED;
      }
    }
    return appendNow(record);
  }

  return {
    overflow,
    append,
    appendAsync(record) {
      if (overflow === "block" && !closed && (queuedRecords >= maxQueue || blocked.length > 0)) {
        return new Promise<AppendResult>((resolve, reject) => blocked.push({ record, resolve, reject }));
      }
      try {
        return Promise.resolve(append(record));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    flush: drain,
    close() {
      closing ??= (async () => {
        closed = true;
        if (intervalTimer !== undefined) clearInterval(intervalTimer);
        releaseBlocked();
        checkpoint("close");
        try {
          await drain();
        } finally {
          await sink.close().catch((err: unknown) => logger.error({ err: (err as Error).message }, "decision log close failed"));
        }
      })();
      return closing;
    },
    stats() {
      return { written, dropped, rejected, checkpoints, queueDepth: queuedRecords, writeErrors };
    },
  };
}
