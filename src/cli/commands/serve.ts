// aegis serve: the ext_authz decision service. Exit codes: 0 clean shutdown, 1 runtime failure,
// 2 usage, 3 invalid configuration, 4 a port could not be bound, 5 the bundle could not be loaded,
// 6 the state store could not be opened (unreachable, or an SQLite file corrupt, empty or foreign).
import { parseCommand } from "../parse-command.ts";
import { AegisError, isAegisError, type ErrorCode } from "../../errors/registry.ts";
import { startAegis } from "../../server/app.ts";
import { loadConfig } from "../../server/config.ts";
import { createLogger } from "../../telemetry/logger.ts";
import { checkTracing } from "../../server/check-tracing.ts";

const USAGE = `usage: aegis serve [--config aegis.yaml] [--bundle <file|url>] [--grpc-addr :9191] [--http-addr :8181]
                   [--state sqlite:./data/aegis.db|redis://host:port] [--admin-token T]
                   [--verification-key K] [--require-signature] [--workers N] [--trust-identity-headers]
                   [--shadow] [--shadow-bundle candidate.tar.gz] [--decision-log PATH] [--audit-signing-key KEY.pem]
                   [--log-level info]
flags > AEGIS_* environment > config file > defaults (docs/configuration.md)
`;

const FLAGS = {
  config: { type: "string" }, bundle: { type: "string" }, "grpc-addr": { type: "string" }, "http-addr": { type: "string" },
  state: { type: "string" }, "admin-token": { type: "string" }, "verification-key": { type: "string" }, "key-id": { type: "string" },
  "require-signature": { type: "boolean" }, workers: { type: "string" }, "trust-identity-headers": { type: "boolean" },
  shadow: { type: "boolean" }, "shadow-bundle": { type: "string" }, "decision-log": { type: "string" }, "audit-signing-key": { type: "string" },
  "log-level": { type: "string" }, help: { type: "boolean", short: "h" },
} as const;

const FLAG_PATHS: Readonly<Record<string, readonly string[]>> = {
  bundle: ["bundle", "source"], "grpc-addr": ["grpc", "addr"], "http-addr": ["http", "addr"], state: ["state"],
  "admin-token": ["approvals", "admin_token"], "verification-key": ["bundle", "verification_key"], "key-id": ["bundle", "key_id"],
  "require-signature": ["bundle", "require_signature"], workers: ["engine", "workers"], "trust-identity-headers": ["identity", "trust_headers"],
  shadow: ["shadow", "global"], "shadow-bundle": ["shadow", "candidate_bundle"], "decision-log": ["decision_log", "path"],
  "audit-signing-key": ["decision_log", "audit_signing_key"], "log-level": ["log_level"],
};

const EXIT_BY_CODE: Partial<Record<ErrorCode, number>> = {
  AEGIS_ERR_CONFIG_INVALID: 3,
  AEGIS_ERR_LISTEN: 4,
  AEGIS_ERR_STATE: 6,
  AEGIS_ERR_NO_BUNDLE: 5, AEGIS_ERR_BUNDLE_READ: 5, AEGIS_ERR_BUNDLE_INVALID: 5, AEGIS_ERR_BUNDLE_UNSIGNED: 5,
  AEGIS_ERR_BUNDLE_SIGNATURE: 5, AEGIS_ERR_BUNDLE_FETCH: 5, AEGIS_ERR_WASM_LOAD: 5, AEGIS_ERR_ENTRYPOINT_MISSING: 5, AEGIS_ERR_DECISION_MALFORMED: 5,
  AEGIS_ERR_BUNDLE_TOO_LARGE: 5, AEGIS_ERR_BUNDLE_DATA_INVALID: 5,
};

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand("serve", USAGE, { args, options: FLAGS });
  if (typeof parsed === "number") return parsed;
  const values: Record<string, string | boolean | undefined> = parsed.values;
  const flags = Object.entries(FLAG_PATHS)
    .filter(([name]) => values[name] !== undefined)
    .map(([name, path]) => ({ path, value: name === "workers" ? Number(values[name]) : values[name] }));

  let config;
  try {
    config = loadConfig({ file: values.config as string | undefined, env: process.env, flags });
  } catch (err) {
    process.stderr.write(`aegis serve: ${isAegisError(err) ? `${err.code}: ${err.message}` : String(err)}\n`);
    return 3;
  }
  const logger = createLogger(config.log_level);
  let app;
  try {
    app = await startAegis({ config, logger, tracing: checkTracing() });
  } catch (err) {
    const e = isAegisError(err) ? err : new AegisError("AEGIS_ERR_USAGE", String(err));
    logger.fatal({ code: e.code, err: e.message }, "aegis could not start");
    process.stderr.write(`aegis serve: ${e.code}: ${e.message}\n`);
    return EXIT_BY_CODE[e.code] ?? 1;
  }

  return new Promise<number>((resolve) => {
    let signalled = false;
    const shutdown = (signal: string) => {
      if (signalled) return;
      signalled = true;
      logger.info({ signal, grace_ms: config.shutdown_grace_ms }, "draining");
      // Bound the whole drain: a stuck close must not keep a terminating pod alive.
      const hardStop = setTimeout(() => resolve(1), config.shutdown_delay_ms + config.shutdown_grace_ms + 5_000);
      hardStop.unref();
      app.stop().then(() => {
        logger.info("stopped");
        resolve(0);
      }, () => resolve(1));
    };
    process.once("SIGTERM", () => shutdown("SIGTERM"));
    process.once("SIGINT", () => shutdown("SIGINT"));
  });
}
