// The decision log's public surface.
export { createDecisionLog, type AppendResult, type DecisionLog, type DecisionLogStats } from "./decision-log.ts";
export type { DecisionLogLogger, Durability, DecisionLogOptions, DecisionLogSinkOptions, OverflowMode } from "./options.ts";
export { verifyDecisionLog, rotatedSet, type VerifyDecisionLogOptions } from "./verify-decision-log.ts";
export type { BadLine, VerifyFailure, VerifyResult, VerifySuccess } from "./chain-verifier.ts";
export { GENESIS_HASH } from "./chain.ts";
