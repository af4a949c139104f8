// The bundle module's public surface: build, read, verify and load OPA bundles.
export { buildBundle, type BuildBundleOptions, type BuildBundleResult } from "./build.ts";
export { defaultRegoDir } from "./library-dir.ts";
export { loadBundleSource, type LoadBundleOptions, type LoadBundleResult, type LoadedBundle } from "./source.ts";
export { loadBundleOffThread } from "./load-off-thread.ts";
export { DEFAULT_BUNDLE_LIMITS, type BundleLimits } from "./limits.ts";
export { checkBundleData, checkBundleDataBytes } from "./data-schema.ts";
export { indexData, type DataIndex } from "./data-index.ts";
export { dataSlicer, DataSlicer, type DataSlice } from "./data-slice.ts";
export {
  AEGIS_BUNDLE_FORMAT,
  AEGIS_METADATA,
  aegisMetadataOf,
  DECISION_ENTRYPOINT,
  type AegisBundleMetadata,
  type BundleManifest,
  type EntrypointMetadata,
} from "./manifest.ts";
export { readBundle, readBundleStream, type BundleContents, type BundleSignatures } from "./read.ts";
export { SIGNING_ALGORITHMS, isSigningAlgorithm, type SigningAlgorithm } from "./key-material.ts";
export { signBundleFiles, type SigningOptions } from "./sign.ts";
export { verifyBundle, type VerifiedSignature, type VerifyOptions } from "./verify.ts";
