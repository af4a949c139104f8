// What one finished check tells telemetry, and the port telemetry listens on. The pipeline
// reports to exactly one observer; where nobody listens (the embedded SDK) it is NO_OBSERVER.
import type { Decision } from "../decision/types.ts";
import type { AegisError } from "../errors/registry.ts";
import type { RequestFacts } from "../input/request-facts.ts";
import type { PolicyInput } from "../input/types.ts";
import type { PendingApproval, ShadowedOutcome } from "./to-check-response.ts";

/** Everything telemetry needs about one finished check (already masked: safe to log). */
export interface CheckEvent {
  /** The answered decision: the same value the pipeline's result carries as `decision`. */
  readonly decision: Decision;
  readonly input: PolicyInput | null;
  readonly invalidReason: string | null;
  readonly effectiveOutcome: string;
  readonly shadowedOutcome: ShadowedOutcome | null;
  readonly approval: PendingApproval | null;
  readonly approverChannels: readonly string[];
  /**
   * The call digest (hashed_audit_id), computed on first use and kept: canonical JSON and SHA-256
   * cost more than the rest of telemetry, so only a record or span that carries it pays; null when
   * the input names no tool call.
   */
  readonly callDigest: () => string | null;
  readonly tokenRejection: string | null;
  /** Budget left per budget name after this call's reservation; null when nothing was reserved. */
  readonly budgetRemaining: Readonly<Record<string, number>> | null;
  /** The call's cost from its spend-budget charges (src/decision/estimated-cost.ts); null when no spend budget charges it. */
  readonly estimatedCost?: number | null;
  readonly latencyMs: number;
  readonly engineMs: number;
  /** For a request to an MCP server: its method and the session and protocol version it named. */
  readonly mcp: McpLogFacts | null;
}

export interface McpLogFacts {
  readonly method: string | null;
  readonly session_id: string | null;
  readonly protocol_version: string | null;
}

export interface ObservedCheck {
  /** May refuse (throw) when an audit-critical decision log cannot record the decision. */
  end(event: CheckEvent): Promise<void> | void;
  fail(err: AegisError, latencyMs: number): void;
}

/** Observes checks: spans, metrics, logs and the decision log hang off this. */
export interface CheckObserver {
  begin(facts: RequestFacts): ObservedCheck;
}

const UNOBSERVED: ObservedCheck = { end: () => undefined, fail: () => undefined };

/** Nobody listens: no metrics, log, decision log or span (the embedded SDK). */
export const NO_OBSERVER: CheckObserver = { begin: () => UNOBSERVED };

/** No tool call, so no digest. */
export const NO_CALL_DIGEST = (): null => null;
