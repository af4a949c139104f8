// Decision-driven redaction through a real Envoy: the docs agent's MCP call reaches the tool
// without its x-api-key header and with its `token` query parameter rewritten to [REDACTED];
// the decision log records the redaction mask and the masked `ssn` parameter, and no raw secret
// (the ssn, the token, the API key) appears anywhere Aegis writes: decision log, stdout, stderr.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { startEnvoy, type RunningEnvoy } from "../support/envoy.ts";
import { httpRequest } from "../support/http.ts";
import { startUpstream, type RunningUpstream } from "../support/upstream.ts";
import { buildBundle, eventually, identity, jsonLines, serve, workDir, writeConfig } from "./runtime-harness.ts";

const SSN = "078-05-1120";
const QUERY_TOKEN = "qt-7f3a91c2e4";
const API_KEY = "ak-5be0d1e9aa";

let decisionLog: string;
let upstream: RunningUpstream;
let server: RunningAegisProcess;
let envoy: RunningEnvoy;

beforeAll(async () => {
  const work = workDir("sanitize");
  decisionLog = join(work, "decisions.log");
  upstream = await startUpstream();
  server = await serve({
    bundle: buildBundle(work), state: `sqlite:${join(work, "state.db")}`, config: writeConfig(work, "aegis"),
    args: ["--decision-log", decisionLog, "--log-level", "debug"],
  });
  envoy = await startEnvoy({ aegisPort: server.grpcPort, upstreamPort: upstream.port });
});

afterAll(async () => {
  await envoy?.stop();
  await server?.stop();
  await upstream?.close();
});

function mcpCall(tool: string) {
  return httpRequest({
    port: envoy.port, host: "mcp.docs.acme.internal", method: "POST", path: `/mcp?token=${QUERY_TOKEN}&lang=en`,
    headers: { ...identity("docs-agent"), "content-type": "application/json", "x-api-key": API_KEY },
    body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: tool, arguments: { id: "payroll", ssn: SSN } } }),
  });
}

describe("sanitize through Envoy", () => {
  it("removes x-api-key and rewrites the token query parameter before the call reaches the tool", async () => {
    const before = upstream.received.length;
    const res = await mcpCall("read_document");
    expect(res.status, res.body).toBe(200);
    const seen = upstream.received.slice(before);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers["x-api-key"]).toBeUndefined();
    const url = new URL(seen[0]?.url ?? "", "http://tool");
    expect(url.pathname).toBe("/mcp");
    expect(url.searchParams.get("token")).toBe("[REDACTED]");
    expect(url.searchParams.get("lang")).toBe("en");
    const decisionId = seen[0]?.headers["x-aegis-decision-id"];

    const line = await eventually(
      () => jsonLines(readFileSync(decisionLog, "utf8")).find((l) => l.decision_id === decisionId),
      (l) => l !== undefined,
      "the sanitize decision in the decision log",
    );
    expect(line).toMatchObject({ decision: "sanitize", enforced: "sanitize", redaction_mask: "headers:x-api-key,query:token,params:ssn", tool: "doc-store", action: "read_document" });
    expect((line?.input as { params: Record<string, unknown> }).params).toMatchObject({ id: "payroll", ssn: "[REDACTED]" });
  });

  it.each([
    { what: "ssn (a sanitized body parameter)", secret: SSN },
    { what: "token (a sanitized query parameter)", secret: QUERY_TOKEN },
    { what: "x-api-key (a sanitized header)", secret: API_KEY },
  ])("never writes the raw $what to the decision log or the process output, whatever the outcome", async ({ secret }) => {
    const allowed = await mcpCall("read_document");
    expect(allowed.status).toBe(200);
    // A denied call of the same agent carries the same secrets.
    const denied = await mcpCall("write_document");
    expect(denied.status).toBe(403);
    const id = (JSON.parse(denied.body) as { decision_id: string }).decision_id;
    await eventually(() => readFileSync(decisionLog, "utf8").includes(id), Boolean, "the deny in the decision log");

    expect(readFileSync(decisionLog, "utf8").includes(secret), "in the decision log").toBe(false);
    expect(server.logs().includes(secret), "in stdout/stderr").toBe(false);
  });
});
