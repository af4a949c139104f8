// Telemetry of the ext_proc stream: every redaction and every hidden tool is counted and
// recorded in the decision log, joined to its check by decision_id. Records name the rule, the
// kind (path, pattern or regex) and where in the result; the redacted value is never recorded.
import { Counter } from "prom-client";
import type { ExtProcObserver } from "../extproc/process-stream.ts";
import type { DecisionLog } from "../telemetry/decision-log/decision-log.ts";
import type { Logger } from "../telemetry/logger.ts";
import type { Metrics } from "../telemetry/metrics.ts";

export interface ExtProcObserverOptions {
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly decisionLog: DecisionLog | null;
}

export function createExtProcObserver({ metrics, logger, decisionLog }: ExtProcObserverOptions): ExtProcObserver {
  const redactions = new Counter({
    name: "aegis_extproc_redactions_total",
    help: "Values replaced by [REDACTED] in bodies through ext_proc, by phase and kind",
    labelNames: ["phase", "kind"],
    registers: [metrics.registry],
  });
  const hiddenTools = new Counter({ name: "aegis_extproc_tools_hidden_total", help: "Tools taken out of tools/list results", registers: [metrics.registry] });
  const failures = new Counter({ name: "aegis_extproc_refusals_total", help: "ext_proc streams refused (fail closed)", registers: [metrics.registry] });
  const record = (entry: Record<string, unknown>) => {
    if (decisionLog !== null) decisionLog.append({ type: "ext_proc", time: new Date().toISOString(), ...entry });
  };
  return {
    requestRedacted(decision, count) {
      redactions.inc({ phase: "request", kind: "param" }, count);
      record({ decision_id: decision.decision_id, tenant: decision.tenant, agent_id: decision.agent, tool: decision.tool, action: decision.action, phase: "request", redacted_params: count });
    },
    toolsHidden(decision, hidden) {
      hiddenTools.inc(hidden.length);
      record({ decision_id: decision.decision_id, tenant: decision.tenant, agent_id: decision.agent, tool: decision.tool, phase: "response", tools_hidden: [...hidden] });
    },
    responseRedacted(decision, list) {
      for (const r of list) redactions.inc({ phase: "response", kind: r.kind });
      record({
        decision_id: decision.decision_id, tenant: decision.tenant, agent_id: decision.agent, tool: decision.tool, action: decision.action, phase: "response",
        redactions: list.map((r) => ({ rule_id: r.rule_id, kind: r.kind, name: r.name, at: r.at, value: "[REDACTED]" })),
      });
    },
    failed(decision, reason) {
      failures.inc();
      logger.warn({ decision_id: decision?.decision_id ?? null, reason }, "ext_proc refused the call");
    },
  };
}
