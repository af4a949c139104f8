// Process wiring for `aegis serve`: builds every part from the frozen config, starts the gRPC
// and admin servers, and owns the graceful drain. I/O lives here; the check path stays pure.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { ApprovalsService } from "../approvals/approvals-service.ts";
import { approvalsRoutes } from "../approvals/http-api.ts";
import { createGroupedSlackNotifier, createNotificationQueue, createSlackNotifier, createTeamsNotifier, createWebhookNotifier, notifierChannels, type Notifier } from "../approvals/notifiers/index.ts";
import { createCheckPipeline } from "../authz/pipeline.ts";
import { consoleRoutes } from "../console/console-routes.ts";
import { StandingApprovalsService } from "../approvals/standing-approvals.ts";
import { standingRoutes } from "../approvals/standing-http-api.ts";
import type { PolicyContext } from "../authz/policy-context.ts";
import { EngineHolder } from "../engine/engine-holder.ts";
import { AegisError } from "../errors/registry.ts";
import { verifyAttestation } from "../identity/call-chain.ts";
import { createIdentityResolver } from "../identity/resolve-identity.ts";
import { identityConfigOf } from "./identity-config.ts";
import { verificationKeyFromFile, type VerificationKey } from "../identity/verification-key.ts";
import { openStateStore } from "../state/open-state-store.ts";
import type { ApprovalRecord } from "../state/approval-store.ts";
import { createDecisionLog, type DecisionLog } from "../telemetry/decision-log/index.ts";
import type { Logger } from "../telemetry/logger.ts";
import { createMetrics } from "../telemetry/metrics.ts";
import { startAdminHttp } from "./admin-http.ts";
import { BundleReloader, bundleLimitsFromConfig } from "./bundle-reloader.ts";
import { BundleHistory } from "./bundle-history.ts";
import { bundleHistoryView, bundleRoutes } from "./bundle-routes.ts";
import { createCheckObserver, NO_TRACING, type CheckTracing } from "./check-observer.ts";
import { decisionRecorder, NO_DECISION_RECORDER } from "./decision-recorder.ts";
import type { Config } from "./config.ts";
import { startGrpcServer } from "./grpc-server.ts";
import { createExtProcHandler } from "../extproc/process-stream.ts";
import { createExtProcObserver } from "./extproc-observer.ts";
import { revocationRoutes } from "./revocations-api.ts";
import { createShadowComparator } from "./shadow-comparator.ts";

export interface RunningAegis {
  readonly grpcPort: number;
  readonly httpPort: number;
  /** Health NOT_SERVING, stop accepting, drain in-flight checks (bounded), close everything. */
  stop(): Promise<void>;
}

export interface AppOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly tracing?: CheckTracing;
}

export async function startAegis({ config, logger, tracing = NO_TRACING }: AppOptions): Promise<RunningAegis> {
  const source = config.bundle.source;
  if (source === undefined) throw new AegisError("AEGIS_ERR_NO_BUNDLE", "no bundle configured: pass --bundle <file|url> or set bundle.source / AEGIS_BUNDLE");

  const metrics = createMetrics(config.metrics.check_duration_buckets);
  const store = await openStateStore(config.state);
  const closers: (() => Promise<void>)[] = [() => store.close()];
  try {
    const holder = new EngineHolder<PolicyContext>();
    // A path: the bundle module reads PEM keys and HS256 secrets from it the way `opa run` does.
    const verificationKey = config.bundle.verification_key;
    const history = config.bundle.history.keep > 0 ? openHistory(historyDir(config), config.bundle.history.keep, logger) : null;
    const reloader = new BundleReloader({
      source, pollIntervalMs: config.bundle.poll_interval_ms, verificationKey, keyId: config.bundle.key_id,
      requireSignature: config.bundle.require_signature, limits: bundleLimitsFromConfig(config.bundle.limits), workers: config.engine.workers, holder, logger, metrics, history,
      decisionCache: { maxBytes: config.engine.decision_cache_bytes, onLookup: metrics.countDecisionCacheLookup },
    });
    closers.push(async () => { reloader.stop(); await holder.close(); });

    const notifications = createNotificationQueue({ notifiers: notifiersFrom(config, publicUrlOf(config)), retry: { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 }, logger });
    closers.push(() => notifications.close());
    const publicUrl = publicUrlOf(config);
    const approvals = new ApprovalsService({
      store,
      tokenTtlSeconds: config.approvals.token_ttl_seconds,
      tokenSecret: tokenSecret(config.approvals.token_secret_file),
      onCreated: (record, channels) => {
        const base = `${publicUrl}/v1/approvals/${encodeURIComponent(record.id)}`;
        // Only the agent's own channels hear of it ("api" has no notifier: the record is in the API).
        notifications.enqueue(record, { approveUrl: `${base}/approve`, denyUrl: `${base}/deny`, detailsUrl: base }, notifierChannels(channels));
      },
    });

    // Every change to a standing approval is logged (its uses are in the decision log: reason approved_standing).
    const standing = new StandingApprovalsService({
      store: store.standing,
      onChange: (record, how) => logger.info({ standing_approval_id: record.id, tenant: record.tenant, agent_id: record.agent, tool: record.tool, action: record.action, uses: record.uses_total, expires_at: record.expires_at, by: how === "created" ? record.created_by : record.revoked_by, outcome: how }, "standing approval changed"),
    });

    const decisionLog: DecisionLog | null = config.decision_log.path === undefined ? null : createDecisionLog({
      sink: config.decision_log.path === "-" ? { kind: "stdout" } : { kind: "file", path: config.decision_log.path, maxBytes: config.decision_log.max_bytes, maxFiles: config.decision_log.max_files },
      ...(config.decision_log.audit_signing_key === undefined ? {} : { signingKeyPem: readFileSync(config.decision_log.audit_signing_key, "utf8") }),
      batch: { maxRecords: 256, maxDelayMs: 20 },
      overflow: config.decision_log.overflow,
      durability: config.decision_log.durability,
      maxQueue: 100_000,
      logger,
    });
    if (decisionLog !== null) closers.push(() => decisionLog.close());

    const chainKeys = new Map<string, VerificationKey>(Object.entries(config.call_chain.keys).map(([tenant, file]) => [tenant, verificationKeyFromFile(file)]));
    const shadow = config.shadow.candidate_bundle === undefined ? null : await createShadowComparator({ source: config.shadow.candidate_bundle, config, logger, metrics });
    if (shadow !== null) closers.push(() => shadow.close());

    const resolveIdentity = createIdentityResolver(identityConfigOf(config, config.identity.trust_headers));
    // The admin port has no sidecar in front of it to strip x-aegis-* headers, so an agent reading
    // its own approval (and override token) there is identified by a verified JWT, and by those
    // headers only when the operator opts in as well.
    const resolveAdminAgent = createIdentityResolver(identityConfigOf(config, config.identity.trust_headers && config.approvals.self_read_trusts_identity_headers));
    const check = createCheckPipeline({
      decider: holder,
      identity: resolveIdentity,
      callChain: (facts, identity) => verifyAttestation(facts.attestation, {
        parent: facts.parentAgent, child: identity?.agent ?? null, tenant: identity?.tenant ?? null,
        keys: (tenant) => chainKeys.get(tenant) ?? null, now: new Date(), maxAgeSeconds: config.call_chain.max_age_seconds,
        isRevoked: (jti) => store.tombstones.isTombstoned(jti, Date.now()),
        ...(config.call_chain.single_use ? { claimJti: (jti: string, expiresAt: number) => store.attestationIds.claimAttestationId(jti, expiresAt, Date.now()) } : {}),
      }),
      budgets: store.budgets,
      approvals,
      tokens: approvals,
      standing,
      limits: { maxBodyBytes: config.limits.max_body_bytes, maxParams: config.limits.max_params, maxDepth: config.limits.max_depth },
      shadowGlobal: config.shadow.global,
      observer: createCheckObserver({
        metrics, logger, tracing,
        decisions: decisionLog === null ? NO_DECISION_RECORDER : decisionRecorder(decisionLog, config.decision_log.include_allows, () => metrics.decisionLogDropped.inc()),
      }),
      afterDecision: shadow?.compare ?? null,
    });

    // The first load decides whether we can start at all; later loads keep the last good bundle.
    const loaded = await reloader.reload();
    if (!loaded && !/^https?:/i.test(source)) {
      const last = reloader.status().last_error;
      throw new AegisError((last?.code as never) ?? "AEGIS_ERR_BUNDLE_READ", `initial bundle ${source} could not be loaded: ${last?.message ?? "unknown error"}`);
    }

    const extProc = createExtProcHandler({
      holder, observer: createExtProcObserver({ metrics, logger, decisionLog }), maxBodyBytes: config.limits.max_body_bytes,
    });
    const grpc = await startGrpcServer(config.grpc, check, extProc);
    closers.unshift(() => grpc.shutdown(config.shutdown_grace_ms));
    let draining = false;
    const onResolved = (record: ApprovalRecord, how: "approved" | "denied") => logger.info({ approval_id: record.id, tenant: record.tenant, agent_id: record.agent, approver: record.approver, outcome: how }, "approval resolved");
    const adminToken = config.approvals.admin_token;
    // The console (GET /console/) exists only behind the admin token, like the approvals API.
    const consoleOn = adminToken !== undefined && adminToken !== "";
    const http = await startAdminHttp({
      addr: config.http.addr,
      bundleStatus: () => reloader.status(),
      isDraining: () => draining,
      stateHealth: () => store.health(),
      registry: metrics.registry,
      // A failing admin request is that request's 500, logged here; it never ends the process.
      onError: (err) => logger.error({ err: err instanceof Error ? err.message : String(err) }, "admin request failed"),
      routes: [...revocationRoutes(store.tombstones, config.approvals.admin_token), ...approvalsRoutes({
        service: approvals,
        adminToken: config.approvals.admin_token,
        slackSigningSecret: config.approvals.slack?.signing_secret,
        resolveAgent: (headers) => resolveAdminAgent({ headers, peerPrincipal: "" }),
        onResolved,
      }), ...(consoleOn ? standingRoutes({ standing, approvals, adminToken, onResolved }) : []),
      ...(consoleOn && history !== null ? bundleRoutes({ reloader, history, adminToken }) : []), ...(consoleOn ? consoleRoutes({
        adminToken, approvals, onResolved, standing,
        bundle: {
          status: () => reloader.status(),
          history: () => (history === null ? [] : bundleHistoryView(reloader, history)),
          rollback: async (revision, by) => void (await reloader.rollback(revision, by)),
        },
        decisionLogPath: config.decision_log.path === undefined || config.decision_log.path === "-" ? null : config.decision_log.path,
      }) : [])],
    });
    closers.push(() => http.close());

    const refreshServing = () => grpc.setServing(!draining && reloader.status().revision !== null);
    // Pending approvals change by time (expiry) as well as by events, so the gauge is polled.
    const refreshPending = () => void approvals.list({ status: "pending" }).then((list) => metrics.approvalsPending.set(list.length), () => undefined);
    refreshServing();
    refreshPending();
    const servingTimer = setInterval(() => {
      refreshServing();
      refreshPending();
    }, 1000);
    servingTimer.unref();
    reloader.start();
    logger.info({ grpc_port: grpc.port, http_port: http.port, bundle: source, revision: reloader.status().revision, state: redactUrl(config.state) }, "aegis serving");

    let stopping: Promise<void> | null = null;
    return {
      grpcPort: grpc.port,
      httpPort: http.port,
      stop() {
        stopping ??= (async () => {
          draining = true;
          clearInterval(servingTimer);
          grpc.setServing(false);
          if (config.shutdown_delay_ms > 0) await new Promise((r) => setTimeout(r, config.shutdown_delay_ms));
          for (const close of closers) await close().catch((err: unknown) => logger.error({ err: String(err) }, "error while shutting down"));
        })();
        return stopping;
      },
    };
  } catch (err) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw err;
  }
}

function publicUrlOf(config: Config): string {
  return config.approvals.public_url ?? `http://127.0.0.1:${config.http.addr.split(":").pop() ?? "8181"}`;
}

function notifiersFrom(config: Config, publicUrl: string): Notifier[] {
  const notifiers: Notifier[] = [];
  const { slack, teams, webhook } = config.approvals;
  const groupSeconds = slack?.group_window_seconds ?? 0;
  if (slack?.webhook_url === undefined && slack?.bot_token !== undefined && slack.channel !== undefined && groupSeconds > 0) {
    // Similar calls share one message, updated in place (only the Web API can edit a message).
    notifiers.push(createGroupedSlackNotifier({ botToken: slack.bot_token, channel: slack.channel, windowMs: groupSeconds * 1000, consoleUrl: `${publicUrl.replace(/\/$/, "")}/console/` }));
  } else if (slack?.webhook_url !== undefined) notifiers.push(createSlackNotifier({ webhookUrl: slack.webhook_url }));
  else if (slack?.bot_token !== undefined && slack.channel !== undefined) notifiers.push(createSlackNotifier({ botToken: slack.bot_token, channel: slack.channel }));
  if (teams?.webhook_url !== undefined) notifiers.push(createTeamsNotifier({ webhookUrl: teams.webhook_url }));
  if (webhook?.url !== undefined && webhook.secret !== undefined) notifiers.push(createWebhookNotifier({ url: webhook.url, secret: webhook.secret }));
  return notifiers;
}

/** The override-token secret: read, or created once (mode 0600) so tokens survive restarts. */
function tokenSecret(path: string): Uint8Array {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
  }
  const secret = Buffer.from(readFileSync(path, "utf8").trim(), "base64");
  if (secret.length < 16) throw new AegisError("AEGIS_ERR_CONFIG_INVALID", `override token secret ${path} is shorter than 16 bytes`);
  return secret;
}

/** The bundle history, or none (logged) when its folder cannot be made: serving never depends on it. */
function openHistory(dir: string, keep: number, logger: Logger): BundleHistory | null {
  try {
    return BundleHistory.open(dir, keep);
  } catch (err) {
    logger.warn({ dir, err: (err as Error).message }, "bundle history is off: its folder cannot be created (set bundle.history.dir to a writable folder)");
    return null;
  }
}

/** bundle.history.dir, else a bundles folder beside the SQLite state file, else ./data/bundles. */
function historyDir(config: Config): string {
  if (config.bundle.history.dir !== undefined) return config.bundle.history.dir;
  const sqlite = /^sqlite:([^?]+)/.exec(config.state)?.[1];
  return sqlite === undefined || sqlite === ":memory:" ? join("data", "bundles") : join(dirname(sqlite), "bundles");
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//[REDACTED]@");
}
