// The same scenario with the Python MCP SDK's client (PyPI `mcp`, in the venv scripts/setup.sh
// provisions): Aegis must not be tied to one SDK's quirks. The client is stock; HTTP_PROXY sends
// its requests to the sidecar, as an agent's environment would.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/opa.ts";
import { ADMIN_TOKEN, MCP_URL, startMcpStack, type McpStack } from "./support/stack.ts";

const python = join(REPO_ROOT, ".tools", "venv-mcp", "bin", "python");

function runScenario(stack: McpStack): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (!existsSync(python)) throw new Error(`${python} missing: run scripts/setup.sh mcp-python`);
  return new Promise((resolve, reject) => {
    const child = spawn(python, [join(REPO_ROOT, "test", "mcp", "python", "agent_scenario.py"), MCP_URL, stack.server.adminUrl, ADMIN_TOKEN], {
      env: { ...process.env, HTTP_PROXY: `http://127.0.0.1:${stack.envoy.port}`, http_proxy: `http://127.0.0.1:${stack.envoy.port}`, NO_PROXY: "", no_proxy: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`python client exited ${code}:\n${err}\n${out}`));
      resolve(JSON.parse(out.trim().split("\n").at(-1)!) as Record<string, unknown>);
    });
  });
}

describe.each([
  { label: "stateless server, JSON answers", stateful: false, json: true },
  { label: "stateful server, SSE answers", stateful: true, json: false },
])("Python MCP client through the sidecar: $label", ({ stateful, json }) => {
  let stack: McpStack;
  let seen: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  beforeAll(async () => {
    stack = await startMcpStack({ stateful, json });
    seen = await runScenario(stack);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it("connects and lists the tools it may call (ext_proc hides delete_document)", () => {
    expect(seen.tools).toEqual(["create_payment", "read_document"]);
    expect(seen.allowed).toMatchObject({ isError: false, text: "read_document done" });
  });

  it("reads refusals as tool errors with the reason", () => {
    expect(seen.not_allowed).toMatchObject({ isError: true, structured: { error: "PolicyViolation", reason: "action_not_allowed" } });
    expect(seen.not_allowed.text).toMatch(/Aegis refused the call to the tool delete_document/);
    expect(seen.over_limit).toMatchObject({ isError: true, structured: { reason: "blocked_over_hard_limit" } });
    expect(stack.upstream.calls.some((c) => c.name === "delete_document")).toBe(false);
  });

  it("waits for approval, goes through once with the token in _meta, and names the spent token on replay", () => {
    expect(seen.pending).toMatchObject({ isError: true, structured: { error: "approval_pending", approval_id: expect.any(String), expires_at: expect.any(String) } });
    expect(seen.with_token.isError).toBe(false);
    expect(seen.replay).toMatchObject({ isError: true, structured: { reason: "override_token_used" } });
    expect(stack.upstream.calls.filter((c) => c.name === "create_payment" && c.arguments["amount"] === 250)).toHaveLength(1);
  });

  it("with redeem: identity, the identical retry goes through once without a token", () => {
    expect(seen.identity_retry.isError).toBe(false);
    expect(seen.identity_replay).toMatchObject({ isError: true, structured: { error: "approval_pending" } });
    expect(seen.identity_replay.structured.approval_id).not.toBe(seen.identity_first_approval);
    expect(stack.upstream.calls.filter((c) => c.name === "create_payment" && c.arguments["amount"] === 260)).toHaveLength(1);
  });
});
