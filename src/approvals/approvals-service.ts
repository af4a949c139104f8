// The approvals module: turns approval_needed decisions into records, lets a human approve or
// deny them, mints the one-time override token on approval and redeems it on the retried call.
import type { ApprovalChannel } from "../policy/model.ts";
import type { ApprovalFilter, ApprovalRecord, ApprovalStore } from "../state/approval-store.ts";
import type { TokenRedemption, TokenStore } from "../state/token-store.ts";
import { callDigest, type CallIdentity } from "./call-digest.ts";
import { isAegisError } from "../errors/registry.ts";
import { deriveOverrideToken, hashOverrideToken, looksLikeOverrideToken } from "./override-token.ts";

export interface ApprovalRequest extends CallIdentity {
  readonly reason: string;
  readonly rule_id: string;
  readonly policy_version: string;
  readonly params_preview: Readonly<Record<string, unknown>>;
  readonly expires_in_seconds: number;
  /** The agent's `approvals.channels` (the compiler writes its default): who is told about the record. */
  readonly channels: readonly ApprovalChannel[];
}

/** The two ports the service uses: its records, and the override tokens an approval mints. */
export interface ApprovalsStorePorts {
  readonly approvals: ApprovalStore;
  readonly tokens: TokenStore;
}

export interface ApprovalsOptions {
  readonly store: ApprovalsStorePorts;
  readonly tokenTtlSeconds: number;
  /** Secret the override tokens are derived from; replicas sharing a store share it. */
  readonly tokenSecret: Uint8Array;
  readonly now?: () => number;
  /**
   * Called for every newly created record with the requesting agent's channels, off the hot path
   * (notifiers): only the channels listed are notified; "api" means the approvals API alone.
   */
  readonly onCreated?: (record: ApprovalRecord, channels: readonly ApprovalChannel[]) => void;
}

export interface Approved {
  readonly record: ApprovalRecord;
  readonly override_token: string;
  readonly token_expires_at: string;
}

export class ApprovalsService {
  readonly #approvals: ApprovalStore;
  readonly #tokens: TokenStore;
  readonly #ttlMs: number;
  readonly #secret: Uint8Array;
  readonly #now: () => number;
  readonly #onCreated: ApprovalsOptions["onCreated"];

  constructor(options: ApprovalsOptions) {
    this.#approvals = options.store.approvals;
    this.#tokens = options.store.tokens;
    this.#ttlMs = options.tokenTtlSeconds * 1000;
    this.#secret = options.tokenSecret;
    this.#now = options.now ?? Date.now;
    this.#onCreated = options.onCreated;
  }

  /** Creates the record for an approval_needed call, or reuses the identical pending one. */
  async request(req: ApprovalRequest): Promise<ApprovalRecord> {
    const { record, created } = await this.#approvals.createOrReuseApproval({
      tenant: req.tenant, agent: req.agent, tool: req.tool, action: req.action,
      digest: callDigest(req), reason: req.reason, rule_id: req.rule_id, policy_version: req.policy_version,
      params_preview: req.params_preview, now: this.#now(), expires_in_seconds: req.expires_in_seconds,
    });
    if (created) this.#onCreated?.(record, req.channels);
    return record;
  }

  get(id: string): Promise<ApprovalRecord | undefined> {
    return this.#approvals.getApproval(id, this.#now());
  }

  list(filter: ApprovalFilter): Promise<ApprovalRecord[]> {
    return this.#approvals.listApprovals(filter, this.#now());
  }

  async approve(id: string, approver: string, comment?: string): Promise<Approved> {
    const now = this.#now();
    const record = await this.#approvals.resolveApproval(id, { status: "approved", approver, now, ...(comment === undefined ? {} : { comment }) });
    const { token, tokenHash } = deriveOverrideToken(this.#secret, record.id, record.digest);
    const expiresAt = now + this.#ttlMs;
    await this.#tokens.storeToken({ tokenHash, digest: record.digest, approvalId: record.id, expiresAt }).catch((err: unknown) => {
      if (!isAegisError(err, "AEGIS_ERR_STATE")) throw err;
    });
    return { record, override_token: token, token_expires_at: new Date(expiresAt).toISOString() };
  }

  /** The token of an approved record, for the requesting agent's own read; null otherwise. */
  tokenFor(record: ApprovalRecord): { override_token: string; token_expires_at: string } | null {
    if (record.status !== "approved" || record.resolved_at === null) return null;
    const { token } = deriveOverrideToken(this.#secret, record.id, record.digest);
    return { override_token: token, token_expires_at: new Date(Date.parse(record.resolved_at) + this.#ttlMs).toISOString() };
  }

  deny(id: string, approver: string, comment?: string): Promise<ApprovalRecord> {
    return this.#approvals.resolveApproval(id, { status: "denied", approver, now: this.#now(), ...(comment === undefined ? {} : { comment }) });
  }

  /**
   * `approvals.redeem: identity`: lets an approved record of exactly this call (same tenant,
   * agent, tool, action, method, host, path and parameters) through once without the agent
   * presenting its token, by redeeming that token on its behalf: the same atomic single use, so
   * a replay or a concurrent retry finds it spent. Newest approval first.
   */
  async redeemApprovedCall(call: CallIdentity): Promise<boolean> {
    const digest = callDigest(call);
    const now = this.#now();
    const approved = await this.#approvals.listApprovals({ status: "approved", tenant: call.tenant, agent: call.agent }, now);
    for (const record of approved.reverse()) {
      if (record.digest !== digest || record.resolved_at === null || Date.parse(record.resolved_at) + this.#ttlMs <= now) continue;
      const { tokenHash } = deriveOverrideToken(this.#secret, record.id, record.digest);
      if ((await this.#tokens.redeemToken(tokenHash, digest, now)) === "redeemed") return true;
    }
    return false;
  }

  /** Atomic single use of a token for exactly this call. */
  redeem(token: string, call: CallIdentity): Promise<TokenRedemption> {
    if (!looksLikeOverrideToken(token)) return Promise.resolve("unknown");
    return this.#tokens.redeemToken(hashOverrideToken(token), callDigest(call), this.#now());
  }
}
