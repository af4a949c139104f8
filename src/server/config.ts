// Configuration: file < AEGIS_* env < flags, validated once by a compiled ajv validator
// with defaults filled in, then deep-frozen. Nothing reads process.env after this.
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse as parseYaml } from "yaml";
import schema from "../../schemas/config.schema.json" with { type: "json" };
import { AegisError } from "../errors/registry.ts";

export interface Config {
  readonly grpc: { readonly addr: string; readonly max_receive_message_bytes: number; readonly keepalive_time_ms: number; readonly keepalive_timeout_ms: number; readonly max_connection_idle_ms: number };
  readonly http: { readonly addr: string };
  readonly bundle: {
    readonly source?: string; readonly poll_interval_ms: number; readonly verification_key?: string; readonly key_id?: string; readonly require_signature: boolean;
    readonly limits?: { readonly max_compressed_bytes?: number; readonly max_decompressed_bytes?: number; readonly max_entries?: number; readonly max_entry_bytes?: number };
    readonly history: { readonly keep: number; readonly dir?: string };
  };
  readonly engine: { readonly workers: number; readonly decision_cache_bytes: number };
  readonly identity: {
    readonly trust_headers: boolean;
    readonly jwt?: { readonly jwks_file?: string; readonly jwks_url?: string; readonly public_key_file?: string; readonly issuer?: string; readonly audience?: string; readonly tenant_claim: string; readonly agent_claim: string; readonly max_lifetime: string };
    readonly spiffe: { readonly trust_domains: readonly string[]; readonly pattern: string };
  };
  readonly call_chain: { readonly keys: Readonly<Record<string, string>>; readonly max_age_seconds: number; readonly single_use: boolean };
  readonly state: string;
  readonly shadow: { readonly global: boolean; readonly candidate_bundle?: string };
  readonly approvals: {
    readonly admin_token?: string; readonly self_read_trusts_identity_headers: boolean; readonly token_ttl_seconds: number; readonly token_secret_file: string; readonly public_url?: string;
    readonly slack?: { readonly webhook_url?: string; readonly bot_token?: string; readonly channel?: string; readonly signing_secret?: string; readonly group_window_seconds?: number };
    readonly teams?: { readonly webhook_url?: string };
    readonly webhook?: { readonly url?: string; readonly secret?: string };
  };
  readonly decision_log: { readonly path?: string; readonly audit_signing_key?: string; readonly max_bytes: number; readonly max_files: number; readonly overflow: "block" | "drop_count" | "fail_closed"; readonly durability: "buffered" | "sync"; readonly include_allows: boolean };
  readonly limits: { readonly max_body_bytes: number; readonly max_params: number; readonly max_depth: number };
  readonly metrics: { readonly check_duration_buckets: readonly number[] };
  readonly shutdown_grace_ms: number;
  readonly shutdown_delay_ms: number;
  readonly log_level: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
}

/** Environment variables and the config path each one sets (documented in docs/configuration.md). */
export const ENV_VARS: Readonly<Record<string, { path: readonly string[]; type: "string" | "integer" | "boolean" }>> = {
  AEGIS_GRPC_ADDR: { path: ["grpc", "addr"], type: "string" },
  AEGIS_HTTP_ADDR: { path: ["http", "addr"], type: "string" },
  AEGIS_BUNDLE: { path: ["bundle", "source"], type: "string" },
  AEGIS_BUNDLE_POLL_INTERVAL_MS: { path: ["bundle", "poll_interval_ms"], type: "integer" },
  AEGIS_BUNDLE_VERIFICATION_KEY: { path: ["bundle", "verification_key"], type: "string" },
  AEGIS_BUNDLE_KEY_ID: { path: ["bundle", "key_id"], type: "string" },
  AEGIS_BUNDLE_REQUIRE_SIGNATURE: { path: ["bundle", "require_signature"], type: "boolean" },
  AEGIS_BUNDLE_HISTORY_KEEP: { path: ["bundle", "history", "keep"], type: "integer" },
  AEGIS_BUNDLE_HISTORY_DIR: { path: ["bundle", "history", "dir"], type: "string" },
  AEGIS_ENGINE_WORKERS: { path: ["engine", "workers"], type: "integer" },
  AEGIS_ENGINE_DECISION_CACHE_BYTES: { path: ["engine", "decision_cache_bytes"], type: "integer" },
  AEGIS_TRUST_IDENTITY_HEADERS: { path: ["identity", "trust_headers"], type: "boolean" },
  AEGIS_STATE: { path: ["state"], type: "string" },
  AEGIS_SHADOW: { path: ["shadow", "global"], type: "boolean" },
  AEGIS_SHADOW_BUNDLE: { path: ["shadow", "candidate_bundle"], type: "string" },
  AEGIS_ADMIN_TOKEN: { path: ["approvals", "admin_token"], type: "string" },
  AEGIS_APPROVALS_SELF_READ_TRUSTS_IDENTITY_HEADERS: { path: ["approvals", "self_read_trusts_identity_headers"], type: "boolean" },
  // Secrets also come from the environment, so they can live in Kubernetes Secrets, not config files.
  AEGIS_SLACK_WEBHOOK_URL: { path: ["approvals", "slack", "webhook_url"], type: "string" },
  AEGIS_SLACK_BOT_TOKEN: { path: ["approvals", "slack", "bot_token"], type: "string" },
  AEGIS_SLACK_SIGNING_SECRET: { path: ["approvals", "slack", "signing_secret"], type: "string" },
  AEGIS_TEAMS_WEBHOOK_URL: { path: ["approvals", "teams", "webhook_url"], type: "string" },
  AEGIS_WEBHOOK_URL: { path: ["approvals", "webhook", "url"], type: "string" },
  AEGIS_WEBHOOK_SECRET: { path: ["approvals", "webhook", "secret"], type: "string" },
  AEGIS_DECISION_LOG: { path: ["decision_log", "path"], type: "string" },
  AEGIS_AUDIT_SIGNING_KEY: { path: ["decision_log", "audit_signing_key"], type: "string" },
  AEGIS_LOG_LEVEL: { path: ["log_level"], type: "string" },
};

const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: false });
const validateConfig = ajv.compile(schema);

export interface ConfigSources {
  readonly file?: string | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Already-parsed flag values, as config paths → value. */
  readonly flags?: readonly { readonly path: readonly string[]; readonly value: unknown }[];
}

export function loadConfig(sources: ConfigSources): Config {
  const merged: Record<string, unknown> = sources.file === undefined ? {} : readConfigFile(sources.file);
  for (const [name, spec] of Object.entries(ENV_VARS)) {
    const raw = sources.env?.[name];
    if (raw !== undefined && raw !== "") setPath(merged, spec.path, coerce(name, raw, spec.type));
  }
  for (const flag of sources.flags ?? []) setPath(merged, flag.path, flag.value);
  if (!validateConfig(merged)) {
    const problems = (validateConfig.errors ?? []).map((e) => `${e.instancePath || "/"}: ${e.message ?? "invalid"}`);
    throw new AegisError("AEGIS_ERR_CONFIG_INVALID", `invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  return deepFreeze(merged) as unknown as Config;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new AegisError("AEGIS_ERR_CONFIG_INVALID", `cannot read config file ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw new AegisError("AEGIS_ERR_CONFIG_INVALID", `config file ${file} is not valid YAML: ${(err as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) throw new AegisError("AEGIS_ERR_CONFIG_INVALID", `config file ${file} must hold a mapping`);
  return parsed as Record<string, unknown>;
}

function coerce(name: string, raw: string, type: "string" | "integer" | "boolean"): unknown {
  if (type === "string") return raw;
  if (type === "integer") {
    if (!/^\d+$/.test(raw)) throw new AegisError("AEGIS_ERR_CONFIG_INVALID", `${name} must be a whole number, got "${raw}"`);
    return Number(raw);
  }
  if (raw === "true" || raw === "1") return true;
  if (raw === "false" || raw === "0") return false;
  throw new AegisError("AEGIS_ERR_CONFIG_INVALID", `${name} must be true or false, got "${raw}"`);
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== "object" || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** ":9191" → { host: "0.0.0.0", port: 9191 }; "127.0.0.1:0" → ephemeral port. */
export function parseAddr(addr: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(addr);
  if (m === null) throw new AegisError("AEGIS_ERR_CONFIG_INVALID", `address "${addr}" must be host:port or :port`);
  const host = (m[1] ?? "").replace(/^\[(.*)\]$/, "$1");
  return { host: host === "" ? "0.0.0.0" : host, port: Number(m[2]) };
}
