// Shared test values for the notifier tests.
import type { ApprovalLinks, ApprovalNotice, NotifierLogger } from "../../../src/approvals/notifiers/types.ts";

export const APPROVAL: ApprovalNotice = {
  id: "apr_01HZX3",
  tenant: "acme",
  agent: "finance-agent",
  tool: "stripe-payments",
  action: "create_payment",
  reason: "approval_needed",
  rule_id: "acme/finance-agent/allowed_tools/stripe-payments/conditions/approval_threshold",
  policy_version: "rev-42",
  created_at: "2025-01-01T10:00:00.000Z",
  expires_at: "2025-01-01T11:00:00.000Z",
  queue_position: 3,
  params_preview: { amount: 6000, currency: "usd", card_number: "[REDACTED]" },
};

export const LINKS: ApprovalLinks = {
  approveUrl: "https://aegis.example.test/approvals/apr_01HZX3/approve",
  denyUrl: "https://aegis.example.test/approvals/apr_01HZX3/deny",
  detailsUrl: "https://aegis.example.test/approvals/apr_01HZX3",
};

export interface LogEntry {
  readonly level: "info" | "warn" | "error";
  readonly obj: Record<string, unknown>;
  readonly msg: string;
}

export function recordingLogger(): NotifierLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry["level"]) => (obj: object, msg: string) => entries.push({ level, obj: obj as Record<string, unknown>, msg });
  return { entries, info: at("info"), warn: at("warn"), error: at("error") };
}
