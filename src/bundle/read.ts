// Reads a bundle (.tar.gz bytes or a stream of them, within BundleLimits) into memory and checks it
// has what the decision service needs: one root policy.wasm, a root data.json (an object) and a
// well-formed .manifest.
import { posix } from "node:path";
import { AegisError } from "../errors/registry.ts";
import { indexData, type DataIndex } from "./data-index.ts";
import { DEFAULT_BUNDLE_LIMITS, type BundleLimits } from "./limits.ts";
import { parseManifest, type BundleManifest } from "./manifest.ts";
import { unpackTarGz, unpackTarGzStream } from "./tar-gz.ts";

export const SIGNATURES_FILE = ".signatures.json";
export const MANIFEST_FILE = ".manifest";
export const DATA_FILE = "data.json";
export const WASM_FILE = "policy.wasm";

export interface BundleSignatures {
  /** JWS compact serialisations; OPA accepts exactly one. */
  readonly signatures: readonly string[];
  readonly plugin?: string;
}

export interface BundleContents {
  readonly manifest: BundleManifest;
  readonly wasm: Uint8Array;
  /** data.json exactly as in the bundle: kept as bytes, never parsed whole (see dataIndex). */
  readonly dataJson: Uint8Array;
  /** Where each tenant and agent sits in dataJson (its structure is checked; its contents by checkBundleDataBytes). */
  readonly dataIndex: DataIndex;
  /** Every file of the archive by path without a leading "/", .signatures.json included. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly signatures: BundleSignatures | null;
  /** SHA-256 (hex) of wasm and dataJson, when the loader thread computed them (the bundle history keys kept bundles by them). */
  readonly sha256?: { readonly wasm: string; readonly dataJson: string };
}

function invalid(message: string): AegisError {
  return new AegisError("AEGIS_ERR_BUNDLE_INVALID", message);
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function parseJsonFile(name: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (err) {
    throw invalid(`${name} is not valid UTF-8 JSON: ${(err as Error).message}`);
  }
}

function parseSignatures(bytes: Uint8Array): BundleSignatures {
  const value = parseJsonFile(SIGNATURES_FILE, bytes) as { signatures?: unknown; plugin?: unknown } | null;
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid(`${SIGNATURES_FILE} must be a JSON object`);
  const { signatures, plugin } = value;
  if (!Array.isArray(signatures) || !signatures.every((s) => typeof s === "string")) {
    throw invalid(`${SIGNATURES_FILE}: "signatures" must be an array of strings`);
  }
  if (plugin !== undefined && typeof plugin !== "string") throw invalid(`${SIGNATURES_FILE}: "plugin" must be a string`);
  return { signatures, ...(plugin === undefined ? {} : { plugin }) };
}

// Aegis loads data from the root data.json only; data elsewhere would be silently ignored by the
// engine while OPA would load it, so such bundles are refused instead.
function checkNoStrayData(files: ReadonlyMap<string, Uint8Array>): void {
  for (const name of files.keys()) {
    const base = posix.basename(name);
    if (name !== DATA_FILE && (base === "data.json" || base === "data.yaml" || base === "data.yml")) {
      throw invalid(`bundle has data file "${name}"; Aegis bundles carry all data in the root ${DATA_FILE}`);
    }
  }
}

function checkWasmModules(manifest: BundleManifest, files: ReadonlyMap<string, Uint8Array>): void {
  for (const name of files.keys()) {
    if (name !== WASM_FILE && posix.basename(name) === WASM_FILE) {
      throw invalid(`bundle has a second WASM module "${name}"; Aegis loads only the root ${WASM_FILE}`);
    }
  }
  for (const resolver of manifest.wasm) {
    if (resolver.module.replace(/^\/+/, "") !== WASM_FILE) {
      throw invalid(`manifest entrypoint "${resolver.entrypoint}" names module "${resolver.module}", not /${WASM_FILE}`);
    }
  }
}

export async function readBundle(bytes: Uint8Array, limits: BundleLimits = DEFAULT_BUNDLE_LIMITS): Promise<BundleContents> {
  return contentsOf(await unpackTarGz(bytes, limits));
}

/** readBundle over a stream: the archive is never held whole, only the files it holds. */
export async function readBundleStream(chunks: AsyncIterable<Uint8Array>, limits: BundleLimits = DEFAULT_BUNDLE_LIMITS): Promise<BundleContents> {
  return contentsOf(await unpackTarGzStream(chunks, limits));
}

function contentsOf(files: ReadonlyMap<string, Uint8Array>): BundleContents {
  const manifestBytes = files.get(MANIFEST_FILE);
  if (manifestBytes === undefined) throw invalid(`bundle has no ${MANIFEST_FILE}`);
  const manifest = parseManifest(parseJsonFile(MANIFEST_FILE, manifestBytes));
  const wasm = files.get(WASM_FILE);
  if (wasm === undefined) throw invalid(`bundle has no ${WASM_FILE} (build it with opa build -t wasm)`);
  checkWasmModules(manifest, files);
  checkNoStrayData(files);
  const dataJson = files.get(DATA_FILE) ?? new TextEncoder().encode("{}");
  const dataIndex = indexData(dataJson);
  const signaturesBytes = files.get(SIGNATURES_FILE);
  const signatures = signaturesBytes === undefined ? null : parseSignatures(signaturesBytes);
  return { manifest, wasm, dataJson, dataIndex, files, signatures };
}
