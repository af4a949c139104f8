// The real Envoy with the shipped deploy/envoy/mcp.yaml, changed only where a user changes it:
// the ports, the upstream MCP server's address and (optionally) the agent it stamps.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { envoyBinary } from "../../support/envoy.ts";
import { REPO_ROOT } from "../../support/opa.ts";
import { freePort, waitFor } from "../../support/ports.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface RunningMcpEnvoy {
  readonly port: number;
  logs(): string;
  stop(): Promise<void>;
}

export function shippedMcpConfig(): Json {
  return parse(readFileSync(join(REPO_ROOT, "deploy", "envoy", "mcp.yaml"), "utf8")) as Json;
}

export interface McpEnvoyOptions {
  readonly aegisPort: number;
  readonly mcpPort: number;
  /** The identity the sidecar stamps; the shipped acme / mcp-agent otherwise. */
  readonly tenant?: string;
  readonly agent?: string;
  /** Route every Host to the MCP server (for clients that cannot set Host, like the conformance runner). */
  readonly anyHost?: boolean;
  readonly port?: number;
}

export async function startMcpEnvoy(opts: McpEnvoyOptions): Promise<RunningMcpEnvoy> {
  const [port, adminPort] = [opts.port ?? (await freePort()), await freePort()];
  const config = shippedMcpConfig();
  config.admin.address.socket_address.port_value = adminPort;
  const listener = config.static_resources.listeners[0];
  listener.address.socket_address = { address: "127.0.0.1", port_value: port };
  for (const cluster of config.static_resources.clusters as Json[]) {
    cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value = cluster.name === "aegis" ? opts.aegisPort : opts.mcpPort;
  }
  const manager = listener.filter_chains[0].filters[0].typed_config;
  const mutation = (manager.http_filters as Json[]).find((f) => f.name === "envoy.filters.http.header_mutation")!;
  for (const m of mutation.typed_config.mutations.request_mutations as Json[]) {
    if (opts.agent !== undefined && m.append?.header.key === "x-aegis-agent") m.append.header.value = opts.agent;
    if (opts.tenant !== undefined && m.append?.header.key === "x-aegis-tenant") m.append.header.value = opts.tenant;
  }
  if (opts.anyHost === true) manager.route_config.virtual_hosts[0].domains = ["*"];
  const dir = mkdtempSync(join(tmpdir(), "aegis-envoy-mcp-"));
  const path = join(dir, "mcp.yaml");
  writeFileSync(path, stringify(config));
  let output = "";
  const child = spawn(envoyBinary(), ["-c", path, "--use-dynamic-base-id", "--log-level", "warn", "--concurrency", "1"], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`envoy exited: ${output}`);
      return (await fetch(`http://127.0.0.1:${adminPort}/ready`)).status === 200;
    }, "envoy (mcp.yaml) to become ready");
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, logs: () => output, stop };
}
