// The shapes every approval notifier shares. A notifier renders one pending approval for one
// channel and delivers it; retries and scheduling belong to the notification queue.

/**
 * What a notifier is told about a pending approval. `params_preview` is already masked. The
 * nullable fields match the state store's ApprovalRecord, so a record can be passed as it is.
 */
export interface ApprovalNotice {
  readonly id: string;
  readonly tenant: string;
  readonly agent: string;
  readonly tool: string;
  readonly action: string;
  readonly reason: string;
  readonly rule_id: string;
  readonly policy_version: string;
  /** ISO 8601 */
  readonly created_at: string;
  /** ISO 8601 */
  readonly expires_at: string;
  /** null once the approval is no longer pending. */
  readonly queue_position: number | null;
  readonly params_preview: Readonly<Record<string, unknown>> | null;
}

export interface ApprovalLinks {
  readonly approveUrl: string;
  readonly denyUrl: string;
  readonly detailsUrl: string;
}

export type NotifierChannel = "slack" | "teams" | "webhook";

export interface Notifier {
  readonly channel: NotifierChannel;
  /** Resolves when the receiver accepted the message; rejects with a NotifyError otherwise. */
  send(approval: ApprovalNotice, links: ApprovalLinks): Promise<void>;
}

/** The pino-compatible subset the notification code logs through. */
export interface NotifierLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
