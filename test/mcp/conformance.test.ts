// The MCP conformance suite (npm @modelcontextprotocol/conformance, server scenarios) against an
// SDK server written to the scenarios' requirements: once directly, once through the real Envoy
// with deploy/envoy/mcp.yaml and a real `aegis serve` whose policy allows the server's every tool,
// resource, prompt and protocol method. Whatever passes directly must pass through the sidecar.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAegisProcess, type RunningAegisProcess } from "../support/aegis-server.ts";
import { aegis } from "../support/cli.ts";
import { REPO_ROOT } from "../support/opa.ts";
import { freePort } from "../support/ports.ts";
import { startConformanceServer, type RunningConformanceServer } from "./conformance/conformance-server.ts";
import { startMcpEnvoy, type RunningMcpEnvoy } from "./support/envoy-mcp.ts";

/** Scenarios whose outcome through the sidecar may differ from the direct run, and why. */
const MAY_DIFFER: Readonly<Record<string, string>> = {
  // It sends requests with a foreign Host / Origin and expects the server to refuse them; through
  // the sidecar the Host names where the call goes, and Aegis's egress allowlist answers first.
  "dns-rebinding-protection": "the sidecar's egress check answers a foreign Host before the server can",
};

const allowAll = (port: number) => `apiVersion: aegis/v1
kind: Tenant
tenant: conformance
egress_allowlist: ["127.0.0.1:${port}", "localhost:${port}"]
---
apiVersion: aegis/v1
kind: AgentPolicy
tenant: conformance
agent: conformance-client
allowed_tools:
  - name: payments-mcp
    protocol: mcp
    actions: [test_simple_text, test_image_content, test_error_handling, test_tool_with_logging, test_tool_with_progress, test_sampling,
      test_audio_content, test_embedded_resource, test_multiple_content_types, test_elicitation, test_elicitation_sep1034_defaults,
      test_elicitation_sep1330_enums, "resources:read", "prompts:get"]
    mcp:
      methods: [initialize, "notifications/*", ping, tools/list, resources/list, resources/templates/list, resources/subscribe,
        resources/unsubscribe, prompts/list, completion/complete, logging/setLevel, GET, DELETE, response]
`;

function runConformance(url: string, cwd: string, scenario?: string): Promise<Map<string, boolean>> {
  return new Promise((resolve, reject) => {
    const args = ["server", "--url", url, ...(scenario === undefined ? [] : ["--scenario", scenario])];
    const child = spawn(join(REPO_ROOT, "node_modules", ".bin", "conformance"), args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 240_000);
    child.on("exit", () => {
      clearTimeout(timer);
      const summary = new Map<string, boolean>();
      for (const m of out.matchAll(/^[✓✗] ([a-z0-9-]+): (\d+) passed, (\d+) failed$/gm)) summary.set(m[1]!, m[3] === "0" && m[2] !== "0");
      // One scenario alone prints only its totals ("Passed: 1/1, 0 failed, …"), not the summary lines.
      const single = scenario === undefined ? null : /^Passed: (\d+)\/(\d+), (\d+) failed/m.exec(out);
      if (single !== null && scenario !== undefined) summary.set(scenario, single[3] === "0" && single[1] !== "0");
      if (summary.size === 0) return reject(new Error(`no conformance summary:\n${out.slice(-3000)}`));
      resolve(summary);
    });
  });
}

describe("MCP conformance server scenarios, directly and through Envoy + Aegis", () => {
  const work = mkdtempSync(join(tmpdir(), "aegis-conformance-"));
  let upstream: RunningConformanceServer | undefined;
  let server: RunningAegisProcess | undefined;
  let envoy: RunningMcpEnvoy | undefined;
  let direct: Map<string, boolean>;
  let proxied: Map<string, boolean>;

  beforeAll(async () => {
    upstream = await startConformanceServer();
    const port = await freePort();
    const policies = join(work, "policies");
    mkdirSync(policies);
    writeFileSync(join(policies, "conformance.yaml"), allowAll(port));
    const bundle = join(work, "bundle.tar.gz");
    const built = aegis(["build", policies, "-o", bundle]);
    if (built.code !== 0) throw new Error(`aegis build failed: ${built.stderr}`);
    server = await startAegisProcess({ args: ["--bundle", bundle, "--state", `sqlite:${join(work, "state.db")}`, "--trust-identity-headers"] });
    envoy = await startMcpEnvoy({ aegisPort: server.grpcPort, mcpPort: upstream.port, tenant: "conformance", agent: "conformance-client", anyHost: true, port });
    mkdirSync(join(work, "direct"));
    mkdirSync(join(work, "proxied"));
    direct = await runConformance(`http://127.0.0.1:${upstream.port}/mcp`, join(work, "direct"));
    proxied = await runConformance(`http://127.0.0.1:${port}/mcp`, join(work, "proxied"));
    // The machine is shared: a scenario lost through the sidecar runs once more on its own, so a
    // timeout under load is not taken for a difference Aegis makes.
    for (const [name, passed] of direct) {
      if (passed && proxied.get(name) !== true) proxied.set(name, (await runConformance(`http://127.0.0.1:${port}/mcp`, join(work, "proxied"), name)).get(name) === true);
    }
    const list = (m: Map<string, boolean>, passed: boolean) => [...m].filter(([, p]) => p === passed).map(([n]) => n).join(", ");
    process.stderr.write(`[conformance] direct passed: ${list(direct, true)}\n[conformance] direct failed: ${list(direct, false)}\n`);
    process.stderr.write(`[conformance] through the sidecar passed: ${list(proxied, true)}\n[conformance] through the sidecar failed: ${list(proxied, false)}\n`);
  }, 600_000);

  afterAll(async () => {
    try {
      await envoy?.stop();
      await server?.stop();
      await upstream?.close();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it("passes the core scenarios directly (the server is a fair reference)", () => {
    for (const name of ["server-initialize", "ping", "tools-list", "tools-call-simple-text", "tools-call-error", "tools-call-sampling", "resources-read-text", "prompts-get-with-args", "server-sse-multiple-streams"]) {
      expect(direct.get(name), name).toBe(true);
    }
  });

  it("passes through the sidecar every scenario that passes directly", () => {
    const lost = [...direct].filter(([name, passed]) => passed && proxied.get(name) !== true && !(name in MAY_DIFFER)).map(([name]) => name);
    expect(lost).toEqual([]);
    const gained = [...proxied].filter(([name, passed]) => passed && direct.get(name) !== true && !(name in MAY_DIFFER)).map(([name]) => name);
    expect(gained).toEqual([]);
  });
});
