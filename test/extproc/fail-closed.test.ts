// Fail closed: Aegis killed while a tool result it must redact is still streaming back. Envoy's
// ext_proc filter (failure_mode_allow: false in the shipped mcp.yaml) must refuse the rest of
// the call rather than pass the unredacted result, and must not hang. A call made after Aegis
// is gone is refused before it reaches the server.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAegisProcess, type RunningAegisProcess } from "../support/aegis-server.ts";
import { startMcpEnvoy, type RunningMcpEnvoy } from "../mcp/support/envoy-mcp.ts";
import { sidecarFetch } from "../mcp/support/sidecar-fetch.ts";
import { MCP_URL } from "../mcp/support/stack.ts";
import { startDocsServer, type RunningDocsServer } from "./docs-mcp-server.ts";
import { buildExtProcBundle, FAKE_API_KEY } from "./policies.ts";

let server: RunningAegisProcess;
let upstream: RunningDocsServer;
let envoy: RunningMcpEnvoy;

beforeAll(async () => {
  const built = buildExtProcBundle();
  upstream = await startDocsServer({ stateful: false, json: false });
  try {
    server = await startAegisProcess({ args: ["--bundle", built.bundle, "--state", `sqlite:${join(built.dir, "state.db")}`, "--trust-identity-headers"] });
    envoy = await startMcpEnvoy({ aegisPort: server.grpcPort, mcpPort: upstream.port, agent: "mcp-wide" });
  } catch (err) {
    await server?.kill();
    await upstream.close();
    throw err;
  }
}, 120_000);

afterAll(async () => {
  await envoy?.stop();
  await server?.kill();
  await upstream?.close();
});

/** Reads the whole answer (or the error that ended it), with a deadline so a hang fails the test. */
async function readAnswer(res: Response): Promise<{ text: string; error: string | null }> {
  let text = "";
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, error: null };
      text += decoder.decode(value, { stream: true });
    }
  } catch (err) {
    return { text, error: err instanceof Error ? err.message : String(err) };
  }
}

describe("Aegis killed mid-stream", () => {
  it("the streaming tool result is cut off, never delivered unredacted, and nothing hangs", async () => {
    const started = Date.now();
    const call = (async () => {
      try {
        const res = await sidecarFetch(envoy.port)(MCP_URL, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "read_document", arguments: { doc: "deploy", delay_ms: 1500 } } }),
        });
        return { status: res.status, ...(await readAnswer(res)) };
      } catch (err) {
        return { status: 0, text: "", error: err instanceof Error ? err.message : String(err) };
      }
    })();
    // The request is decided and its response headers have passed ext_proc; the result is not yet written.
    await new Promise((r) => setTimeout(r, 700));
    await server.kill();
    const answer = await call;
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(answer.text).not.toContain(FAKE_API_KEY);
    // Either Envoy answered with an error status, or it reset the stream it had begun.
    expect(answer.status !== 200 || answer.error !== null || !answer.text.includes('"result"')).toBe(true);
  }, 30_000);

  it("a call made after Aegis is gone is refused, without hanging", async () => {
    const started = Date.now();
    const res = await sidecarFetch(envoy.port)(MCP_URL, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    });
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(await res.text()).not.toContain("delete_document");
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);
});
