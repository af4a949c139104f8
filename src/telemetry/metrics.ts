// Prometheus metrics (prom-client). Labels are low-cardinality only: never decision ids,
// parameter values or agent names on per-request series (agent appears only on the
// budget gauge, whose cardinality is bounded by the policy, not by traffic).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { fastObserver } from "./fast-observe.ts";

export interface Metrics {
  readonly registry: Registry;
  readonly decisions: Counter<"outcome" | "reason">;
  readonly checkDuration: Histogram<"outcome">;
  readonly engineEvalDuration: Histogram;
  readonly bundleInfo: Gauge<"revision">;
  readonly bundleLoadErrors: Counter<"code">;
  readonly approvalsPending: Gauge;
  readonly budgetRemaining: Gauge<"tenant" | "agent" | "budget">;
  readonly bundleRollback: Gauge<"revision">;
  readonly shadowDivergences: Counter<"enforced" | "candidate">;
  readonly checkErrors: Counter<"code">;
  readonly decisionLogDropped: Counter;
  /** checkDuration.observe({ outcome }, seconds) and engineEvalDuration.observe(seconds), per check without label hashing. */
  readonly observeCheckDuration: (outcome: string, seconds: number) => void;
  readonly observeEngineEval: (seconds: number) => void;
  /** Counts one decision-cache lookup, in plain numbers: the counter reads them when scraped. */
  readonly countDecisionCacheLookup: (result: "hit" | "miss" | "bypass") => void;
}

export function createMetrics(checkBuckets: readonly number[]): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const evalBuckets = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01];
  // Registered in this order, which is the order of the exposition.
  const decisions = new Counter({ name: "aegis_decisions_total", help: "Decisions by outcome and reason", labelNames: ["outcome", "reason"], registers: [registry] });
  const checkDuration = new Histogram({ name: "aegis_check_duration_seconds", help: "ext_authz Check handling time", labelNames: ["outcome"], buckets: [...checkBuckets], registers: [registry] });
  const engineEvalDuration = new Histogram({ name: "aegis_engine_eval_duration_seconds", help: "WASM policy evaluation time", buckets: evalBuckets, registers: [registry] });
  const observeEngineEval = fastObserver(engineEvalDuration);
  const cacheLookups = { hit: 0, miss: 0, bypass: 0 };
  new Counter({
    name: "aegis_decision_cache_lookups_total",
    help: "Evaluations answered from the decision cache (hit), evaluated and remembered (miss), or evaluated because the input carries budget counters or the clock (bypass)",
    labelNames: ["result"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [result, n] of Object.entries(cacheLookups)) if (n > 0) this.inc({ result }, n);
    },
  });
  return {
    registry,
    decisions,
    checkDuration,
    engineEvalDuration,
    observeCheckDuration: fastObserver(checkDuration, "outcome"),
    observeEngineEval: (seconds) => observeEngineEval("", seconds),
    bundleInfo: new Gauge({ name: "aegis_bundle_info", help: "The loaded bundle revision (value 1)", labelNames: ["revision"], registers: [registry] }),
    bundleRollback: new Gauge({ name: "aegis_bundle_rollback", help: "1 for the revision a rollback put in force (no series when the source's bundle is live)", labelNames: ["revision"], registers: [registry] }),
    bundleLoadErrors: new Counter({ name: "aegis_bundle_load_errors_total", help: "Bundles rejected at load", labelNames: ["code"], registers: [registry] }),
    approvalsPending: new Gauge({ name: "aegis_approvals_pending", help: "Approvals waiting for a human", registers: [registry] }),
    budgetRemaining: new Gauge({ name: "aegis_budget_remaining", help: "Budget left in the current window", labelNames: ["tenant", "agent", "budget"], registers: [registry] }),
    shadowDivergences: new Counter({ name: "aegis_shadow_divergences_total", help: "Checks where the candidate bundle decided differently", labelNames: ["enforced", "candidate"], registers: [registry] }),
    checkErrors: new Counter({ name: "aegis_check_errors_total", help: "Checks answered with a gRPC error (fail closed)", labelNames: ["code"], registers: [registry] }),
    decisionLogDropped: new Counter({ name: "aegis_decision_log_dropped_total", help: "Decision records dropped because the log sink could not keep up", registers: [registry] }),
    countDecisionCacheLookup: (result) => void cacheLookups[result]++,
  };
}
