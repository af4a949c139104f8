// The decision log writer. append() seals the record into the hash chain on the caller's turn
// (so its hash can go on the span at once) and queues the line; a single background pump writes
// queued lines in batches, rotating files and signing checkpoints in chain order. Under
// durability "sync", appendAsync waits until its record's batch is on disk (group commit).
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
  type Durability,
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
  /** fdatasync calls made for batches (checkpoints, and every batch under durability sync). */
  readonly syncs: number;
}

export interface DecisionLog {
  readonly overflow: OverflowMode;
  readonly durability: Durability;
  /** Never waits; under durability "sync" the record is on disk only once flush() resolves. */
  append(record: object): AppendResult;
  /**
   * Like append, but under overflow "block" waits (FIFO) until the queue has room, and under
   * durability "sync" resolves only once the record is written and fdatasync'd; rejects with
   * AEGIS_ERR_DECISION_LOG when that write or fsync fails.
   */
  appendAsync(record: object): Promise<AppendResult>;
  /** Resolves when everything appended so far is written. */
  flush(): Promise<void>;
  /** Writes the close checkpoint, flushes, syncs and closes the sink. Idempotent. */
  close(): Promise<void>;
  stats(): DecisionLogStats;
}

/** Settles a sync-durability append once its line is on disk (or its write failed). */
interface Durable {
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

type QueueItem =
  | { readonly kind: "line"; readonly text: string; readonly record: boolean; durable: Durable | undefined }
  | { readonly kind: "rotate"; readonly firstLine: string };

interface Blocked {
  readonly record: object;
  readonly durable: Durable | undefined;
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
  const durability = options.durability ?? "buffered";
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
  let syncs = 0;
  let closed = false;
  let closing: Promise<void> | undefined;
  let pumping: Promise<void> | undefined;
  let batchTimer: NodeJS.Timeout | undefined;
  let batchImmediate: NodeJS.Immediate | undefined;

  function enqueue(sealed: SealedLine, record: boolean, durable?: Durable): void {
    queue.push({ kind: "line", text: sealed.text, record, durable });
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

  function appendNow(record: object, durable?: Durable): AppendResult {
    const sealed = chain.record(record);
    enqueue(sealed, true, durable);
    rotateIfFull();
    if (chain.recordsSinceCheckpoint >= checkpointEvery) checkpoint("interval");
    schedule();
    return { hash: sealed.hash, accepted: true };
  }

  function schedule(): void {
    if (pumping !== undefined) return;
    if (queue.length >= maxRecords) {
      kick();
    } else if (durability === "sync") {
      // Waiters are blocked on this batch: write it as soon as this turn's appends have joined it;
      // the ones arriving during its fsync form the next batch (group commit).
      batchImmediate ??= setImmediate(kick);
    } else if (batchTimer === undefined) {
      batchTimer = setTimeout(kick, maxDelayMs);
    }
  }

  function kick(): void {
    if (batchTimer !== undefined) clearTimeout(batchTimer);
    batchTimer = undefined;
    if (batchImmediate !== undefined) clearImmediate(batchImmediate);
    batchImmediate = undefined;
    if (pumping !== undefined || queue.length === 0) return;
    pumping = pump().finally(() => {
      pumping = undefined;
      if (queue.length > 0 && !closed) schedule();
    });
    // close() and flush() observe failures; nobody else may see an unhandled rejection.
    pumping.catch(() => undefined);
  }

  /** A check waiting for the disk must not wait out a retry loop: it fails closed; its record stays queued. */
  function failDurables(err: unknown): void {
    const failure = new AegisError("AEGIS_ERR_DECISION_LOG", `decision log write failed: ${(err as Error).message}`, { cause: err });
    for (const item of queue) {
      if (item.kind !== "line" || item.durable === undefined) continue;
      item.durable.reject(failure);
      item.durable = undefined;
    }
  }

  async function withRetry(operation: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation();
      } catch (err) {
        writeErrors += 1;
        failDurables(err);
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
      const batch = queue.splice(0, count);
      queuedRecords -= records;
      written += records;
      checkpoints += count - records;
      // Checkpoints are the promise to the auditor, and under sync so is every record: make sure
      // they reach the disk before anyone is told so.
      if (durability === "sync" || count > records) {
        try {
          syncs += 1;
          await sink.sync();
        } catch (err) {
          writeErrors += 1;
          logger.error({ err: (err as Error).message }, "decision log fsync failed");
          // The lines are written but not known to be on disk: their checks fail closed.
          for (const item of batch) if (item.kind === "line") item.durable?.reject(new AegisError("AEGIS_ERR_DECISION_LOG", `decision log fsync failed: ${(err as Error).message}`, { cause: err }));
          releaseBlocked();
          continue;
        }
      }
      for (const item of batch) if (item.kind === "line") item.durable?.resolve();
      releaseBlocked();
    }
  }

  function releaseBlocked(): void {
    while (blocked.length > 0 && (closed || queuedRecords < maxQueue)) {
      const waiter = blocked.shift()!;
      try {
        waiter.resolve(appendNow(waiter.record, waiter.durable));
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

  function append(record: object, durable?: Durable): AppendResult {
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
    return appendNow(record, durable);
  }

  /** Admits the record (waiting for room under block); `durable` settles once it is on disk. */
  function admit(record: object, durable: Durable | undefined): Promise<AppendResult> {
    if (overflow === "block" && !closed && (queuedRecords >= maxQueue || blocked.length > 0)) {
      return new Promise<AppendResult>((resolve, reject) => blocked.push({ record, durable, resolve, reject }));
    }
    try {
      return Promise.resolve(append(record, durable));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  return {
    overflow,
    durability,
    append: (record) => append(record),
    appendAsync(record) {
      if (durability !== "sync") return admit(record, undefined);
      let durable: Durable | undefined;
      const onDisk = new Promise<void>((resolve, reject) => (durable = { resolve, reject }));
      // A record that was not accepted never settles onDisk; nobody waits for it then.
      return admit(record, durable).then((result) => (result.accepted ? onDisk.then(() => result) : result));
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
      return { written, dropped, rejected, checkpoints, queueDepth: queuedRecords, writeErrors, syncs };
    },
  };
}
