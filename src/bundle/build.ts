// `aegis build` minus argument parsing: stage data.json + Rego + .manifest, compile with the real
// `opa build -t wasm`, optionally sign, and write the bundle atomically.
//
// Optimisation stays at -O=0: at -O=1 OPA treats the bundle's data.json as known at build time and
// folds it into policy.wasm, so the module grows with every agent and the data set at load time is
// partly ignored. The decision rule is already a handful of direct lookups; -O=0 costs nothing.
//
// What opa build does with the staged .manifest (OPA 1.x): it keeps roots and metadata, adds the
// wasm entrypoint resolvers and rego_version, and takes the revision from
// --revision only (a revision in the staged manifest is dropped), so the revision goes on the
// command line. Nothing in the manifest needs post-processing; signing re-packs the archive with
// .signatures.json added, leaving every other file byte for byte as opa wrote it.
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { canonicalJsonText } from "../canonical/canonical-json.ts";
import { AegisError } from "../errors/registry.ts";
import { AEGIS_METADATA } from "./manifest.ts";
import { runOpa } from "./opa-cli.ts";
import { DATA_FILE, MANIFEST_FILE, readBundle, SIGNATURES_FILE } from "./read.ts";
import type { CustomModules } from "./custom-modules.ts";
import { collectRegoSources, packageRoot, type RegoSource } from "./rego-sources.ts";
import { contentRevision } from "./revision.ts";
import { createBundleSigner, type SigningOptions } from "./sign.ts";
import { packTarGz } from "./tar-gz.ts";
import { hostBuiltins } from "./wasm-builtins.ts";

export interface BuildBundleOptions {
  /** The compiled policy data (docs/contracts.md §1); becomes the bundle's root data.json. */
  readonly data: unknown;
  /** The Rego library directory; *_test.rego files are left out. */
  readonly regoDir: string;
  readonly outFile: string;
  /** Default: the content hash of data and Rego (see contentRevision). */
  readonly revision?: string;
  readonly signing?: SigningOptions;
  /** The policy author's own modules (src/bundle/custom-modules.ts), compiled into the same WASM. */
  readonly custom?: CustomModules;
}

export interface BuildBundleResult {
  readonly revision: string;
  readonly outFile: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The bundle owns its Rego packages' top-level names and data's top-level keys, nothing else. */
export function bundleRoots(data: Record<string, unknown>, rego: readonly RegoSource[]): string[] {
  const roots = new Set(Object.keys(data));
  for (const source of rego) {
    const root = packageRoot(source);
    if (root !== null) roots.add(root);
  }
  return [...roots].sort();
}

// Canonical JSON (RFC 8785): equal data gives a byte-identical data.json whatever the key order.
function dataJsonText(data: Record<string, unknown>): string {
  const text = canonicalJsonText(data);
  if (text === undefined) throw new AegisError("AEGIS_ERR_BUNDLE_INVALID", "bundle data is not JSON-serialisable");
  return text;
}

async function stage(dir: string, data: Record<string, unknown>, rego: readonly RegoSource[], revision: string): Promise<void> {
  await writeFile(join(dir, DATA_FILE), dataJsonText(data));
  for (const source of rego) {
    const target = join(dir, ...source.name.split("/"));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, source.bytes);
  }
  const manifest = { revision, roots: bundleRoots(data, rego), metadata: { aegis: AEGIS_METADATA } };
  await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(manifest));
}

/** Temp file beside the target, then rename: readers see the old bundle or the new one, never half of one. */
async function writeAtomically(outFile: string, bytes: Uint8Array): Promise<void> {
  const temp = join(dirname(outFile), `.${basename(outFile)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await mkdir(dirname(outFile), { recursive: true });
    await writeFile(temp, bytes, { flag: "wx" });
    await rename(temp, outFile);
  } catch (err) {
    await rm(temp, { force: true });
    throw new AegisError("AEGIS_ERR_BUNDLE_WRITE", `cannot write ${outFile}: ${(err as Error).message}`, { cause: err });
  }
}

// A custom module may use only what OPA's WASM runtime implements natively: the opa-wasm SDK
// supplies a handful of others in JavaScript (sprintf among them) and none of time.*, http.send or
// io.jwt.*, so a builtin left to the host is refused at build time, naming the call. The shipped
// library needs none; a --rego-dir stand-in may (the SDK's own are then its business).
function refuseHostBuiltins(needed: readonly string[], calls: ReadonlyMap<string, string>): void {
  const custom = needed.filter((name) => calls.has(name));
  if (custom.length === 0) return;
  const named = custom.map((name) => `\`${name}\` (called at ${calls.get(name)})`);
  throw new AegisError(
    "AEGIS_ERR_POLICY_INVALID",
    `the Rego calls ${named.join(", ")}, which OPA's WASM runtime does not implement natively; Aegis evaluates only native builtins (docs/rego.md lists them)`,
  );
}

export async function buildBundle(options: BuildBundleOptions): Promise<BuildBundleResult> {
  const { data, regoDir, outFile } = options;
  if (!isRecord(data)) throw new AegisError("AEGIS_ERR_BUNDLE_INVALID", "bundle data must be a JSON object");
  if (options.revision !== undefined && options.revision.trim() === "") {
    throw new AegisError("AEGIS_ERR_USAGE", "--revision must not be empty");
  }
  const sign = options.signing === undefined ? null : await createBundleSigner(options.signing);
  const rego = [...(await collectRegoSources(regoDir)), ...(options.custom?.sources ?? [])];
  const revision = options.revision ?? contentRevision(data, rego);
  const work = await mkdtemp(join(tmpdir(), "aegis-build-"));
  try {
    const stageDir = join(work, "stage");
    await mkdir(stageDir);
    await stage(stageDir, data, rego, revision);
    const built = join(work, "opa-out.tar.gz");
    const entrypoints = Object.keys(AEGIS_METADATA.entrypoints).flatMap((e) => ["-e", e]);
    await runOpa(["build", "-t", "wasm", "-O=0", ...entrypoints, "--revision", revision, "--bundle", ".", "-o", built], stageDir);
    let bytes: Uint8Array = await readFile(built);
    // Read back what opa wrote: the bundle we hand out must be one our own loader accepts.
    const contents = await readBundle(bytes);
    if (contents.manifest.revision !== revision) {
      throw new AegisError("AEGIS_ERR_OPA_BUILD", `opa build wrote revision "${contents.manifest.revision}", expected "${revision}"`);
    }
    refuseHostBuiltins(hostBuiltins(contents.wasm), options.custom?.calls ?? new Map());
    if (sign !== null) {
      const files = new Map(contents.files);
      files.set(SIGNATURES_FILE, await sign(files));
      bytes = packTarGz(files);
    }
    await writeAtomically(outFile, bytes);
    return { revision, outFile };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
