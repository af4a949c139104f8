// The last N good bundles, kept on disk so an operator can switch back to one atomically and a
// rollback survives a restart. Each entry is what the engine needs (policy.wasm, data.json) as
// it was when that bundle was verified and went live, with SHA-256 digests checked on the way
// back in; `pin.json` records a rollback in force. Written only by Aegis, files 0600.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AegisError } from "../errors/registry.ts";

export interface HistoryEntry {
  /** Directory name of the entry: unique per load. */
  readonly id: string;
  readonly revision: string;
  readonly loaded_at: string;
  readonly wasm_sha256: string;
  readonly data_sha256: string;
  /** The source's fingerprint (ETag) of the bundle this entry came from; null for an unknown one. */
  readonly source_etag: string | null;
}

export interface Pin {
  /** The history entry in force. */
  readonly id: string;
  readonly revision: string;
  readonly by: string;
  readonly at: string;
  /** The revision that was live when the rollback happened. */
  readonly from_revision: string | null;
  /** The source's bundle (its ETag) the rollback turned away from: only a different one ends the pin. */
  readonly superseded_etag: string | null;
}

export interface StoredBundle {
  readonly entry: HistoryEntry;
  readonly wasm: Uint8Array;
  readonly dataJson: Uint8Array;
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");


function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  renameSync(tmp, path);
}

/** A bundle to keep; `sha256` as the loader thread computed it, so a 100 MB data.json is not hashed on the event loop. */
export interface RecordedBundle {
  readonly revision: string;
  readonly wasm: Uint8Array;
  /**
   * data.json as the loader thread wrote it, in stagingDir(): the server holds it only compressed,
   * so the raw bytes go to disk from the loader. Moved into the history, or removed.
   */
  readonly stagedDataJson: string;
  readonly sha256: { readonly wasm: string; readonly dataJson: string };
}

const STAGED_SUFFIX = ".staged-data.json";

/** A fresh name for a staged data.json in `dir` (the loader writes it; the history moves it). */
export function stagedDataJsonPath(dir: string): string {
  return join(dir, `${randomBytes(6).toString("hex")}${STAGED_SUFFIX}`);
}

// A kept data.json can be ~100 MB: written without blocking the event loop that answers checks.
async function writeAtomicOffLoop(path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(tmp, data, { mode: 0o600 });
  await rename(tmp, path);
}

function historyError(message: string, cause?: unknown): AegisError {
  return new AegisError("AEGIS_ERR_BUNDLE_HISTORY", message, cause === undefined ? undefined : { cause });
}

export class BundleHistory {
  readonly #dir: string;
  readonly #keep: number;
  #entries: HistoryEntry[];

  private constructor(dir: string, keep: number, entries: HistoryEntry[]) {
    this.#dir = dir;
    this.#keep = keep;
    this.#entries = entries;
  }

  /** Opens (or creates) the history folder; an unreadable index starts an empty history rather than failing start-up. */
  static open(dir: string, keep: number): BundleHistory {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // data.json files a loader staged before a crash: never recorded.
    for (const name of readdirSync(dir)) if (name.endsWith(STAGED_SUFFIX)) rmSync(join(dir, name), { force: true });
    let entries: HistoryEntry[] = [];
    try {
      const parsed = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as unknown;
      if (Array.isArray(parsed)) entries = parsed.filter((e): e is HistoryEntry => typeof e === "object" && e !== null && typeof (e as HistoryEntry).id === "string" && /^[\w-]+$/.test((e as HistoryEntry).id));
    } catch {
      entries = [];
    }
    return new BundleHistory(dir, keep, entries);
  }

  /** Newest first. */
  entries(): readonly HistoryEntry[] {
    return this.#entries;
  }

  /** Where the loader thread writes a new bundle's data.json (stagedDataJsonPath) for record(). */
  stagingDir(): string {
    return this.#dir;
  }

  /** Records a bundle that just went live from the source; trims to the last `keep`. One at a time, in call order. */
  record(bundle: RecordedBundle, sourceEtag: string | null): Promise<HistoryEntry> {
    const next = this.#recording.then(() => this.#record(bundle, sourceEtag)).finally(() => rm(bundle.stagedDataJson, { force: true }));
    this.#recording = next.catch(() => {});
    return next;
  }

  #recording: Promise<unknown> = Promise.resolve();

  async #record(bundle: RecordedBundle, sourceEtag: string | null): Promise<HistoryEntry> {
    const { wasm: wasmSha, dataJson: dataSha } = bundle.sha256;
    const newest = this.#entries[0];
    // The same bundle loaded again (a restart, a touched file) is not a new entry.
    if (newest !== undefined && newest.revision === bundle.revision && newest.wasm_sha256 === wasmSha && newest.data_sha256 === dataSha) {
      await rm(bundle.stagedDataJson, { force: true });
      return newest;
    }
    const entry: HistoryEntry = { id: `${Date.now()}-${randomBytes(4).toString("hex")}`, revision: bundle.revision, loaded_at: new Date().toISOString(), wasm_sha256: wasmSha, data_sha256: dataSha, source_etag: sourceEtag };
    const folder = join(this.#dir, entry.id);
    await mkdir(folder, { mode: 0o700 });
    await writeAtomicOffLoop(join(folder, "policy.wasm"), bundle.wasm);
    await rename(bundle.stagedDataJson, join(folder, "data.json"));
    const pinned = this.pinned()?.id;
    const kept = [entry, ...this.#entries];
    // The pinned entry is never trimmed while it is in force.
    const survivors = kept.filter((e, i) => i < this.#keep || e.id === pinned);
    for (const gone of kept.filter((e) => !survivors.includes(e))) rmSync(join(this.#dir, gone.id), { recursive: true, force: true });
    this.#entries = survivors;
    writeAtomic(join(this.#dir, "index.json"), JSON.stringify(this.#entries, null, 1));
    return entry;
  }

  /** The newest entry of a revision, its files checked against the digests recorded when it went live. */
  read(revision: string): StoredBundle {
    const entry = this.#entries.find((e) => e.revision === revision);
    if (entry === undefined) throw historyError(`revision "${revision}" is not among the ${this.#entries.length} kept bundles`);
    return this.#readEntry(entry);
  }

  readPinned(): StoredBundle | null {
    const pin = this.pinned();
    if (pin === null) return null;
    const entry = this.#entries.find((e) => e.id === pin.id);
    if (entry === undefined) throw historyError(`the rollback in force names bundle ${pin.id}, which is no longer kept`);
    return this.#readEntry(entry);
  }

  #readEntry(entry: HistoryEntry): StoredBundle {
    let wasm: Buffer;
    let dataJson: Buffer;
    try {
      wasm = readFileSync(join(this.#dir, entry.id, "policy.wasm"));
      dataJson = readFileSync(join(this.#dir, entry.id, "data.json"));
    } catch (err) {
      throw historyError(`kept bundle ${entry.revision} cannot be read: ${(err as Error).message}`, err);
    }
    if (sha256(wasm) !== entry.wasm_sha256 || sha256(dataJson) !== entry.data_sha256) throw historyError(`kept bundle ${entry.revision} does not match its recorded digests (changed on disk); refusing it`);
    return { entry, wasm, dataJson };
  }

  pinned(): Pin | null {
    const path = join(this.#dir, "pin.json");
    if (!existsSync(path)) return null;
    try {
      const pin = JSON.parse(readFileSync(path, "utf8")) as Pin;
      return typeof pin.id === "string" && typeof pin.revision === "string" ? pin : null;
    } catch {
      return null;
    }
  }

  pin(pin: Pin): void {
    writeAtomic(join(this.#dir, "pin.json"), JSON.stringify(pin, null, 1));
  }

  unpin(): void {
    rmSync(join(this.#dir, "pin.json"), { force: true });
  }
}
