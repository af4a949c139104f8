// `--shadow-bundle candidate.tar.gz`: every check is also decided by the candidate, after the
// enforced answer has gone back, and every difference is counted and logged — the way to run a
// new policy against real traffic before enforcing it.
import type { DecidedCheck } from "../authz/pipeline.ts";
import type { PolicyContext } from "../authz/policy-context.ts";
import { decide } from "../engine/decide.ts";
import { EngineHolder } from "../engine/engine-holder.ts";
import { AegisError } from "../errors/registry.ts";
import type { Logger } from "../telemetry/logger.ts";
import type { Metrics } from "../telemetry/metrics.ts";
import { BundleReloader, bundleLimitsFromConfig } from "./bundle-reloader.ts";
import type { Config } from "./config.ts";

export interface ShadowComparator {
  /** Decides the check's input with the candidate and compares with the enforced bundle's own decision (before host rules, which would change the candidate's alike). */
  compare(check: DecidedCheck): void;
  close(): Promise<void>;
}

export async function createShadowComparator(opts: { source: string; config: Config; logger: Logger; metrics: Metrics }): Promise<ShadowComparator> {
  const holder = new EngineHolder<PolicyContext>();
  const logger = opts.logger.child({ shadow_bundle: opts.source });
  const reloader = new BundleReloader({
    source: opts.source, pollIntervalMs: opts.config.bundle.poll_interval_ms, requireSignature: false,
    limits: bundleLimitsFromConfig(opts.config.bundle.limits), workers: 0, holder, logger, metrics: opts.metrics,
  });
  if (!(await reloader.reload())) {
    throw new AegisError("AEGIS_ERR_BUNDLE_READ", `shadow bundle ${opts.source} could not be loaded: ${reloader.status().last_error?.message ?? "unknown error"}`);
  }
  reloader.start();
  return {
    compare({ input, policyDecision: enforced }) {
      setImmediate(() => {
        holder
          .use((engine) => decide(engine, input, enforced.decision_id))
          .then((candidate) => {
            if (candidate.outcome === enforced.outcome && candidate.reason === enforced.reason) return;
            opts.metrics.shadowDivergences.inc({ enforced: enforced.outcome, candidate: candidate.outcome });
            logger.info({
              decision_id: enforced.decision_id, tenant: input.tenant, agent_id: input.agent, tool: input.tool, action: input.action,
              enforced: { outcome: enforced.outcome, reason: enforced.reason, rule_id: enforced.rule_id, policy_version: enforced.policy_version },
              candidate: { outcome: candidate.outcome, reason: candidate.reason, rule_id: candidate.rule_id, policy_version: candidate.policy_version },
            }, "shadow divergence");
          })
          .catch((err: unknown) => logger.warn({ err: String(err) }, "shadow evaluation failed"));
      });
    },
    async close() {
      reloader.stop();
      await holder.close();
    },
  };
}
