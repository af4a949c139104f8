// The bundle `.manifest` as OPA writes it, and the Aegis metadata block the engine reads at
// load ("prepared queries metadata": which input fields and host-computed state each entrypoint needs).
import { AegisError } from "../errors/registry.ts";

export const AEGIS_BUNDLE_FORMAT = 1;
export const DECISION_ENTRYPOINT = "aegis/decision";

export interface EntrypointMetadata {
  /** Top-level fields of the policy input this entrypoint reads (docs/contracts.md §2). */
  readonly input: readonly string[];
  /** Input fields the host must compute from its state store before evaluating. */
  readonly host_state: readonly string[];
}

export interface AegisBundleMetadata {
  readonly format: number;
  readonly entrypoints: Readonly<Record<string, EntrypointMetadata>>;
}

export const AEGIS_METADATA: AegisBundleMetadata = {
  format: AEGIS_BUNDLE_FORMAT,
  entrypoints: {
    [DECISION_ENTRYPOINT]: {
      input: [
        "tenant",
        "agent",
        "identity_source",
        "tool",
        "action",
        "params",
        "host",
        "port",
        "scheme",
        "method",
        "path",
        "truncated_body",
        "unread_body",
        "call_chain",
        "budgets",
      ],
      host_state: ["budgets", "call_chain"],
    },
  },
};

export interface WasmResolver {
  readonly entrypoint: string;
  /** Path of the module inside the bundle, as OPA writes it ("/policy.wasm"). */
  readonly module: string;
}

export interface BundleManifest {
  readonly revision: string;
  /** OPA's default when the manifest names none: [""], the bundle owns all of data. */
  readonly roots: readonly string[];
  readonly wasm: readonly WasmResolver[];
  readonly rego_version?: number;
  readonly metadata: Readonly<Record<string, unknown>>;
}

function invalid(message: string): AegisError {
  return new AegisError("AEGIS_ERR_BUNDLE_INVALID", `.manifest: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

function parseWasmResolvers(value: unknown): WasmResolver[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid('"wasm" must be an array');
  return value.map((entry: unknown, i) => {
    if (!isRecord(entry) || typeof entry.entrypoint !== "string" || typeof entry.module !== "string") {
      throw invalid(`"wasm[${i}]" must have string "entrypoint" and "module"`);
    }
    return { entrypoint: entry.entrypoint, module: entry.module };
  });
}

/** Validates the parsed `.manifest` JSON; fields OPA tolerates as absent get OPA's defaults. */
export function parseManifest(value: unknown): BundleManifest {
  if (!isRecord(value)) throw invalid("must be a JSON object");
  const { revision, roots, metadata, rego_version: regoVersion } = value;
  if (revision !== undefined && typeof revision !== "string") throw invalid('"revision" must be a string');
  if (roots !== undefined && !isStringArray(roots)) throw invalid('"roots" must be an array of strings');
  if (metadata !== undefined && !isRecord(metadata)) throw invalid('"metadata" must be an object');
  if (regoVersion !== undefined && !Number.isInteger(regoVersion)) throw invalid('"rego_version" must be an integer');
  return {
    revision: revision ?? "",
    roots: roots ?? [""],
    wasm: parseWasmResolvers(value.wasm),
    ...(typeof regoVersion === "number" ? { rego_version: regoVersion } : {}),
    metadata: metadata ?? {},
  };
}

function parseEntrypoint(name: string, value: unknown): EntrypointMetadata {
  if (!isRecord(value) || !isStringArray(value.input) || !isStringArray(value.host_state)) {
    throw invalid(`metadata.aegis.entrypoints["${name}"] must have string arrays "input" and "host_state"`);
  }
  return { input: value.input, host_state: value.host_state };
}

/** The Aegis block of a bundle's manifest; a bundle without one was not built by `aegis build`. */
export function aegisMetadataOf(manifest: BundleManifest): AegisBundleMetadata {
  const block = manifest.metadata.aegis;
  if (block === undefined) throw invalid("metadata.aegis is missing (was the bundle built with aegis build?)");
  if (!isRecord(block) || !isRecord(block.entrypoints)) throw invalid("metadata.aegis.entrypoints must be an object");
  if (block.format !== AEGIS_BUNDLE_FORMAT) {
    throw invalid(`metadata.aegis.format ${JSON.stringify(block.format)} is not supported (expected ${AEGIS_BUNDLE_FORMAT})`);
  }
  const entrypoints = Object.fromEntries(
    Object.entries(block.entrypoints).map(([name, value]) => [name, parseEntrypoint(name, value)]),
  );
  return { format: AEGIS_BUNDLE_FORMAT, entrypoints };
}
