// Keeps the served bundle current: loads from a file (watched, and polled as a backstop) or an
// HTTP(S) bundle server (polled with ETag). Reading, unpacking (within the bundle limits),
// verifying and checking data.json happen on a worker thread (the one loader, loadBundleSource);
// the new bundle is then built into an engine off to the side and proven on a probe input before
// the atomic swap. A bad one is rejected and the last good keeps serving, with the reason in
// /readyz, the log and aegis_bundle_load_errors_total.
import { watch, type FSWatcher } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { createPolicyContext, type PolicyContext } from "../authz/policy-context.ts";
import { blockReader, compressDataBlocks, isDataBlocks } from "../bundle/data-blocks.ts";
import type { DataBytes } from "../bundle/data-bytes.ts";
import { indexData } from "../bundle/data-index.ts";
import { DEFAULT_BUNDLE_LIMITS, type BundleLimits } from "../bundle/limits.ts";
import { LOADER_HEAP_MB, loadBundleOffThread } from "../bundle/load-off-thread.ts";
import type { ServedContents } from "../bundle/load-protocol.ts";
import { createEngine } from "../engine/create-engine.ts";
import { decide } from "../engine/decide.ts";
import { withDecisionCache, type DecisionCacheOptions } from "../engine/decision-cache.ts";
import type { Engine, EngineSource } from "../engine/engine.ts";
import type { EngineHolder } from "../engine/engine-holder.ts";
import { AegisError, isAegisError } from "../errors/registry.ts";
import type { Logger } from "../telemetry/logger.ts";
import type { Metrics } from "../telemetry/metrics.ts";
import { completeInput } from "../input/complete-input.ts";
import { stagedDataJsonPath, type BundleHistory, type Pin, type StoredBundle } from "./bundle-history.ts";

export interface BundleStatus {
  readonly revision: string | null;
  readonly loaded_at: string | null;
  readonly source: string;
  readonly last_error: { readonly code: string; readonly message: string; readonly at: string } | null;
  /** Why the live revision is live: loaded from the source, or a rollback (then `rollback` says who, when, from what). */
  readonly origin?: "source" | "rollback";
  readonly rollback?: Pin | null;
}

export interface ReloaderOptions {
  readonly source: string;
  readonly pollIntervalMs: number;
  readonly verificationKey?: string | undefined;
  readonly keyId?: string | undefined;
  readonly requireSignature: boolean;
  /** Caps on reading a bundle; default DEFAULT_BUNDLE_LIMITS. */
  readonly limits?: BundleLimits;
  readonly workers: number;
  /** Reuses decisions of identical inputs per bundle (src/engine/decision-cache.ts); maxBytes 0 disables. */
  readonly decisionCache?: DecisionCacheOptions;
  readonly holder: EngineHolder<PolicyContext>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The last good bundles, for rollback (src/server/bundle-history.ts); none when absent. */
  readonly history?: BundleHistory | null;
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

/** The `bundle.limits` section of the config (docs/configuration.md) as BundleLimits. */
export function bundleLimitsFromConfig(limits: {
  readonly max_compressed_bytes?: number | undefined;
  readonly max_decompressed_bytes?: number | undefined;
  readonly max_entries?: number | undefined;
  readonly max_entry_bytes?: number | undefined;
} | undefined): BundleLimits {
  return {
    maxCompressedBytes: limits?.max_compressed_bytes ?? DEFAULT_BUNDLE_LIMITS.maxCompressedBytes,
    maxDecompressedBytes: limits?.max_decompressed_bytes ?? DEFAULT_BUNDLE_LIMITS.maxDecompressedBytes,
    maxEntries: limits?.max_entries ?? DEFAULT_BUNDLE_LIMITS.maxEntries,
    maxEntryBytes: limits?.max_entry_bytes ?? DEFAULT_BUNDLE_LIMITS.maxEntryBytes,
  };
}

export class BundleReloader {
  readonly #opts: ReloaderOptions;
  #status: BundleStatus;
  /** The ETag of the last bundle seen, loaded or refused: an unchanged bundle is not read again. */
  #etag: string | undefined;
  /** A local file's identity and times when last read: unchanged, it is not even handed to a loader. */
  #fileStamp: string | null = null;
  #timer: NodeJS.Timeout | null = null;
  #watcher: FSWatcher | null = null;
  #loading: Promise<boolean> | null = null;
  #again = false;

  constructor(opts: ReloaderOptions) {
    this.#opts = opts;
    this.#status = { revision: null, loaded_at: null, source: opts.source, last_error: null };
  }

  status(): BundleStatus {
    return this.#status;
  }

  /** Loads now; concurrent calls coalesce. Resolves true when a new bundle went live. */
  reload(): Promise<boolean> {
    if (this.#loading !== null) {
      this.#again = true;
      return this.#loading;
    }
    this.#loading = this.#loadOnce().finally(() => {
      this.#loading = null;
      if (this.#again) {
        this.#again = false;
        void this.reload();
      }
    });
    return this.#loading;
  }

  start(): void {
    if (!isUrl(this.#opts.source)) {
      // Watch the directory, not the file: editors and `aegis build` replace the file by rename.
      try {
        this.#watcher = watch(dirname(this.#opts.source), (_event, name) => {
          if (name === null || name === basename(this.#opts.source)) void this.reload();
        });
        this.#watcher.on("error", () => undefined);
      } catch {
        this.#watcher = null;
      }
    }
    this.#timer = setInterval(() => void this.reload(), this.#opts.pollIntervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#watcher?.close();
    this.#timer = null;
    this.#watcher = null;
  }

  /**
   * Switches to a kept earlier bundle, atomically (in-flight checks finish on the old engine),
   * and pins it: it survives a restart, and only a bundle from the source other than the one
   * rolled back from ends the pin. Throws AEGIS_ERR_BUNDLE_HISTORY when the revision is not kept.
   */
  async rollback(revision: string, by: string): Promise<BundleStatus> {
    const history = this.#opts.history;
    if (history === undefined || history === null) throw new AegisError("AEGIS_ERR_BUNDLE_HISTORY", "bundle history is off (bundle.history.keep: 0)");
    // Never interleaved with a load from the source.
    while (this.#loading !== null) await this.#loading.catch(() => undefined);
    const run = (async () => {
      const stored = history.read(revision);
      const pin: Pin = { id: stored.entry.id, revision, by, at: new Date().toISOString(), from_revision: this.#status.revision, superseded_etag: this.#etag ?? null };
      await this.#activateStored(stored, pin);
      history.pin(pin);
      this.#opts.logger.warn({ revision, from: pin.from_revision, by }, "bundle rolled back");
      return true;
    })();
    this.#loading = run;
    try {
      await run;
    } finally {
      this.#loading = null;
    }
    return this.#status;
  }

  async #activateStored(stored: StoredBundle, pin: Pin): Promise<void> {
    const { revision } = stored.entry;
    // A kept bundle was checked when it first loaded; only its index and blocks are rebuilt (on
    // this thread: rollbacks are rare and operator-driven), and the raw bytes read back are dropped.
    const dataIndex = indexData(stored.dataJson);
    const dataJson = dataIndex.tenants === null ? stored.dataJson : blockReader(compressDataBlocks(stored.dataJson, dataIndex));
    const source = { revision, wasm: stored.wasm, dataJson, dataIndex };
    const engine = await provenEngine(source, this.#opts.workers, this.#opts.decisionCache);
    this.#opts.holder.swap(engine, createPolicyContext(revision, source));
    this.#status = { revision, loaded_at: new Date().toISOString(), source: this.#opts.source, last_error: null, origin: "rollback", rollback: pin };
    this.#opts.metrics.bundleInfo.reset();
    this.#opts.metrics.bundleInfo.set({ revision }, 1);
    this.#opts.metrics.bundleRollback.reset();
    this.#opts.metrics.bundleRollback.set({ revision }, 1);
  }

  async #loadOnce(): Promise<boolean> {
    const { source, logger, metrics } = this.#opts;
    const started = performance.now();
    // The loader's raw data.json for the history: moved there by record(), removed otherwise.
    let staged: string | undefined;
    try {
      const history = this.#opts.history ?? null;
      let pin = history?.pinned() ?? null;
      // After a restart with a rollback in force, the pinned bundle serves first.
      let restored = false;
      if (pin !== null && this.#status.revision === null) {
        let stored: StoredBundle | null = null;
        try {
          stored = history?.readPinned() ?? null;
        } catch (err) {
          // A pinned bundle that can no longer be read (or was changed on disk) ends the pin: the source serves.
          history?.unpin();
          logger.error({ err: (err as Error).message, revision: pin.revision }, "the rolled-back bundle cannot be restored; serving the source's bundle");
          pin = null;
        }
        if (stored !== null && pin !== null) {
          await this.#activateStored(stored, pin);
          restored = true;
          logger.warn({ revision: pin.revision, by: pin.by, at: pin.at }, "serving the rolled-back bundle (a rollback is in force)");
        }
      }
      const contents = await this.#fetch();
      if (contents === null) return restored;
      staged = contents.stagedDataJson;
      // The bundle the rollback turned away from is not loaded again; a different one ends the pin.
      if (pin !== null && this.#etag !== undefined && this.#etag === pin.superseded_etag) return restored;
      const revision = contents.manifest.revision;
      // Everything from here on runs on the event loop that answers checks.
      const read = performance.now();
      const dataJson: Uint8Array | DataBytes = isDataBlocks(contents.dataJson) ? blockReader(contents.dataJson) : contents.dataJson;
      const served = { revision, wasm: contents.wasm, dataJson, dataIndex: contents.dataIndex };
      const engine = await provenEngine(served, this.#opts.workers, this.#opts.decisionCache);
      const previous = this.#status.revision;
      this.#opts.holder.swap(engine, createPolicyContext(revision, served));
      this.#status = { revision, loaded_at: new Date().toISOString(), source, last_error: null, ...(history === null ? {} : { origin: "source" as const, rollback: null }) };
      metrics.bundleInfo.reset();
      metrics.bundleInfo.set({ revision }, 1);
      metrics.bundleRollback.reset();
      const live = performance.now();
      if (history !== null) {
        try {
          if (staged === undefined || contents.sha256 === undefined) throw new Error("the loader did not stage data.json");
          await history.record({ revision, wasm: contents.wasm, stagedDataJson: staged, sha256: contents.sha256 }, this.#etag ?? null);
        } catch (err) {
          // The bundle is live either way; only a later rollback to it is lost.
          logger.error({ revision, err: (err as Error).message }, "bundle could not be kept in the history");
        }
        if (pin !== null) {
          history.unpin();
          logger.info({ revision, rolled_back_to: pin.revision }, "a newer bundle ends the rollback");
        }
      }
      const done = performance.now();
      logger.info({ revision, previous, source, read_ms: Math.round(read - started), engine_ms: Math.round(live - read), history_ms: Math.round(done - live) }, "bundle loaded");
      return true;
    } catch (err) {
      const e = isAegisError(err) ? err : new AegisError("AEGIS_ERR_BUNDLE_READ", String(err), { cause: err });
      this.#status = { ...this.#status, last_error: { code: e.code, message: e.message, at: new Date().toISOString() } };
      metrics.bundleLoadErrors.inc({ code: e.code });
      logger.error({ code: e.code, err: e.message, source, serving: this.#status.revision }, "bundle rejected; keeping the last good bundle");
      return false;
    } finally {
      if (staged !== undefined) await rm(staged, { force: true });
    }
  }

  /** The new bundle's contents, verified and checked; null when nothing changed. */
  async #fetch(): Promise<ServedContents | null> {
    const { source, verificationKey, keyId, requireSignature, limits } = this.#opts;
    if (requireSignature && verificationKey === undefined) {
      throw new AegisError("AEGIS_ERR_BUNDLE_UNSIGNED", "require_signature is set but no verification key is configured");
    }
    let stamp: string | null = null;
    if (!isUrl(source)) {
      stamp = await fileStamp(source);
      if (stamp !== null && stamp === this.#fileStamp) return null;
    }
    try {
      const history = this.#opts.history;
      const result = await loadBundleOffThread(source, {
        ...(this.#etag === undefined ? {} : { etag: this.#etag }),
        ...(verificationKey === undefined ? {} : { verificationKey }),
        ...(keyId === undefined ? {} : { keyId }),
        limits: limits ?? DEFAULT_BUNDLE_LIMITS,
      }, LOADER_HEAP_MB, history === undefined || history === null ? undefined : stagedDataJsonPath(history.stagingDir()));
      this.#fileStamp = stamp;
      if ("notModified" in result) return null;
      this.#etag = result.etag;
      return result.contents;
    } catch (err) {
      // Remembered, so a refused bundle is reported once, not at every poll.
      const etag = isAegisError(err) ? err.details?.etag : undefined;
      if (typeof etag === "string") {
        this.#etag = etag;
        this.#fileStamp = stamp;
      }
      throw err;
    }
  }
}

/** An engine for the bundle that has decided a neutral input: one that cannot would fail every check, so it is refused now. */
async function provenEngine(source: EngineSource, workers: number, cache: DecisionCacheOptions | undefined): Promise<Engine> {
  const created = await createEngine(source, { workers });
  const engine = cache === undefined ? created : withDecisionCache(created, cache);
  try {
    await decide(engine, completeInput({}), "probe");
    return engine;
  } catch (err) {
    await engine.close();
    throw err;
  }
}

/** Inode, size and modification/change times: any write or rename changes at least one. Null when stat fails (the loader reports why). */
async function fileStamp(path: string): Promise<string | null> {
  try {
    const s = await stat(path.startsWith("file://") ? new URL(path) : path, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return null;
  }
}
