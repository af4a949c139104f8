// The stack a user's MCP setup runs: the example policies built into a bundle, a real
// `aegis serve` (identity headers trusted, as behind the sidecar), an SDK MCP server, and the real
// Envoy with deploy/envoy/mcp.yaml. Everything stops in stop(), also after a failed start.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startAegisProcess, type RunningAegisProcess } from "../../support/aegis-server.ts";
import { aegis } from "../../support/cli.ts";
import { REPO_ROOT } from "../../support/opa.ts";
import { startMcpEnvoy, type RunningMcpEnvoy } from "./envoy-mcp.ts";
import { startMcpServer, type McpServerOptions, type RunningMcpServer } from "./mcp-server.ts";
import { sidecarFetch } from "./sidecar-fetch.ts";

export const ADMIN_TOKEN = "mcp-admin-token";
/** The MCP server's URL as the agent knows it; deploy/envoy/mcp.yaml routes this host. */
export const MCP_URL = "http://mcp.acme.internal/mcp";

export interface McpStack {
  readonly envoy: RunningMcpEnvoy;
  readonly server: RunningAegisProcess;
  readonly upstream: RunningMcpServer;
  /** A connected SDK client through the sidecar (extra headers on every request). */
  connect(headers?: Record<string, string>): Promise<Client>;
  /** Approves through the approvals API; resolves the override token. */
  approve(approvalId: string): Promise<string>;
  /** Decision-log lines (JSON) Aegis wrote so far. */
  decisions(): Record<string, unknown>[];
  stop(): Promise<void>;
}

/** Extra agent policies (YAML text by agent name) join the examples; `agent` is the one the sidecar stamps. */
export async function startMcpStack(opts: McpServerOptions & { agent?: string; extraPolicies?: Record<string, string> }): Promise<McpStack> {
  const work = mkdtempSync(join(tmpdir(), "aegis-mcp-"));
  let server: RunningAegisProcess | undefined;
  let upstream: RunningMcpServer | undefined;
  let envoy: RunningMcpEnvoy | undefined;
  const clients: Client[] = [];
  const stop = async (): Promise<void> => {
    try {
      await Promise.allSettled(clients.map((c) => c.close()));
      await envoy?.stop();
      await server?.stop();
      await upstream?.close();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  };
  try {
    const policies = join(work, "policies");
    cpSync(join(REPO_ROOT, "policies", "examples"), policies, { recursive: true });
    for (const [name, yaml] of Object.entries(opts.extraPolicies ?? {})) {
      mkdirSync(join(policies, name));
      writeFileSync(join(policies, name, "policy.yaml"), yaml);
    }
    const bundle = join(work, "bundle.tar.gz");
    const built = aegis(["build", policies, "-o", bundle]);
    if (built.code !== 0) throw new Error(`aegis build failed: ${built.stderr}`);
    upstream = await startMcpServer(opts);
    const log = join(work, "decisions.jsonl");
    server = await startAegisProcess({
      args: ["--bundle", bundle, "--state", `sqlite:${join(work, "state.db")}`, "--trust-identity-headers", "--admin-token", ADMIN_TOKEN],
      env: { AEGIS_DECISION_LOG: log },
    });
    envoy = await startMcpEnvoy({ aegisPort: server.grpcPort, mcpPort: upstream.port, ...(opts.agent === undefined ? {} : { agent: opts.agent }) });
    const running = { envoy, server, upstream };
    return {
      ...running,
      async connect(headers = {}) {
        const client = new Client({ name: "aegis-test-agent", version: "1.0.0" });
        clients.push(client);
        await client.connect(new StreamableHTTPClientTransport(new URL(MCP_URL), { fetch: sidecarFetch(running.envoy.port, headers) }));
        return client;
      },
      async approve(approvalId) {
        const res = await fetch(`${running.server.adminUrl}/v1/approvals/${encodeURIComponent(approvalId)}/approve`, {
          method: "POST",
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
          body: JSON.stringify({ approver: "alice@acme", comment: "mcp test" }),
        });
        const body = (await res.json()) as { override_token?: string };
        if (res.status !== 200 || typeof body.override_token !== "string") throw new Error(`approve failed: ${res.status} ${JSON.stringify(body)}`);
        return body.override_token;
      },
      decisions: () => decisionLines(existsSync(log) ? readFileSync(log, "utf8") : ""),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function decisionLines(logs: string): Record<string, unknown>[] {
  // One JSON record per line; a line being written may be cut.
  return logs
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return {};
      }
    })
    .filter((l) => l["type"] === "decision");
}
