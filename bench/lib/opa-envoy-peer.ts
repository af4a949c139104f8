// The OPA-Envoy peer the harnesses compare Aegis with: the real plugin when `scripts/setup.sh
// bench` built it from a checkout (OPA_ENVOY_PLUGIN_SRC), otherwise the stand-in of
// bench/opa-envoy. Both serve the same staged policy directory; every figure carries the label
// of the one that produced it.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { benchTool, REPO_ROOT } from "./repo-paths.ts";
import type { ServerSpec } from "./server-process.ts";

export const STAND_IN_LABEL = "stand-in";

const PLUGIN_BINARY = join(REPO_ROOT, ".tools", "bin", "opa-envoy-plugin");
/** Written by setup.sh: "<commit> <tree> <diff hash>" of the checkout the binary came from. */
const PLUGIN_SOURCE_STAMP = join(REPO_ROOT, ".tools", "bin", ".opa-envoy-plugin.source");

export function opaEnvoyPluginBuilt(): boolean {
  return existsSync(PLUGIN_BINARY);
}

/** "opa-envoy-plugin 1.19.1 (07a1fd15b3f5)": the OPA version it embeds and the commit it was built from. */
export function opaEnvoyPluginLabel(): string {
  const version = /^Version: (\S+)/m.exec(execFileSync(PLUGIN_BINARY, ["version"], { encoding: "utf8" }))?.[1] ?? "unknown";
  const commit = existsSync(PLUGIN_SOURCE_STAMP) ? readFileSync(PLUGIN_SOURCE_STAMP, "utf8").slice(0, 12) : "";
  return `opa-envoy-plugin ${version}${/^[0-9a-f]{12}$/.test(commit) ? ` (${commit})` : ""}`;
}

export interface PeerAddresses {
  /** Staged Rego and data.json (see check-servers.ts), loaded as `opa run` loads a directory. */
  readonly policyDir: string;
  /** host:port of the ext_authz gRPC listener. */
  readonly grpcTarget: string;
  /** Port of OPA's HTTP API (the plugin only), where /health?plugins says the gRPC listener is up. */
  readonly httpPort: number;
}

/**
 * The plugin as it is deployed: `opa-envoy-plugin run --server` with the ext_authz plugin on the
 * given address and decision path, every default kept except what a production deployment tunes
 * for a quiet hot path: no decision logs (none are configured, so none are written), log level
 * error (nothing per request either way at the default, but startup chatter goes too), and no
 * version check against GitHub at startup.
 */
export function opaEnvoyPluginSpec(name: string, at: PeerAddresses): ServerSpec {
  return {
    name,
    command: PLUGIN_BINARY,
    args: [
      "run", "--server",
      `--addr=127.0.0.1:${at.httpPort}`,
      "--set", `plugins.envoy_ext_authz_grpc.addr=${at.grpcTarget}`,
      "--set", "plugins.envoy_ext_authz_grpc.path=envoy/authz/result",
      "--log-level=error",
      "--skip-version-check",
      at.policyDir,
    ],
    ready: { kind: "http", url: `http://127.0.0.1:${at.httpPort}/health?plugins` },
  };
}

export function opaEnvoyStandInSpec(name: string, at: PeerAddresses): ServerSpec {
  return { name, command: benchTool("opa-envoy-bench"), args: ["--policy", at.policyDir, "--addr", at.grpcTarget], ready: { kind: "stdout", pattern: /^listening /m } };
}
