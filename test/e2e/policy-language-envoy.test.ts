// The policy language end to end through a real Envoy (the shipped deploy/envoy/envoy.yaml), a
// real `aegis serve` and a real upstream: a document-store agent limited to /docs/**, a fetch tool
// limited to *.wikipedia.org, and a custom Rego rule denying with its own reason. The calls are
// MCP tools/call requests; the tenant's tools catalog names the tool, the body the action.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aegis } from "../support/cli.ts";
import { startAegisProcess, type RunningAegisProcess } from "../support/aegis-server.ts";
import { startEnvoy, type RunningEnvoy } from "../support/envoy.ts";
import { httpRequest } from "../support/http.ts";
import { REPO_ROOT } from "../support/opa.ts";
import { startUpstream, type RunningUpstream } from "../support/upstream.ts";

const RESEARCH = { "x-aegis-tenant": "acme", "x-aegis-agent": "research-agent", "content-type": "application/json" };

let work: string;
let upstream: RunningUpstream | undefined;
let server: RunningAegisProcess | undefined;
let envoy: RunningEnvoy | undefined;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "aegis-e2e-lang-"));
  const policies = join(work, "policies");
  cpSync(join(REPO_ROOT, "policies", "examples"), policies, { recursive: true });
  const bundle = join(work, "bundle.tar.gz");
  const built = aegis(["build", policies, "-o", bundle]);
  expect(built.code, built.stderr).toBe(0);
  upstream = await startUpstream();
  server = await startAegisProcess({ args: ["--bundle", bundle, "--state", `sqlite:${join(work, "state.db")}`, "--trust-identity-headers"] });
  envoy = await startEnvoy({ aegisPort: server.grpcPort, upstreamPort: upstream.port });
}, 120_000);

afterAll(async () => {
  try {
    await envoy?.stop();
    await server?.stop();
    await upstream?.close();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

function toolsCall(host: string, name: string, args: Record<string, unknown>) {
  if (envoy === undefined) throw new Error("envoy did not start");
  return httpRequest({
    port: envoy.port, host, method: "POST", path: "/mcp", headers: RESEARCH,
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } }),
  });
}

/** The refusal's reason and rule id, as a 403 PolicyViolation body or an MCP tool-error result. */
function refusal(body: string): { reason?: string; rule_id?: string } {
  const parsed = JSON.parse(body) as Record<string, any>;
  return parsed.result?.structuredContent ?? parsed.error?.data ?? parsed;
}

async function expectRefused(call: Promise<{ status: number; body: string }>, reason: string, ruleId: string): Promise<void> {
  const before = upstream?.received.length ?? 0;
  const res = await call;
  expect(res.status === 403 || res.status === 200, res.body).toBe(true);
  expect(refusal(res.body)).toMatchObject({ reason, rule_id: ruleId });
  expect(upstream?.received.length).toBe(before);
}

async function expectForwarded(call: Promise<{ status: number; body: string }>): Promise<void> {
  const before = upstream?.received.length ?? 0;
  const res = await call;
  expect(res.status, res.body).toBe(200);
  expect(upstream?.received.length).toBe(before + 1);
}

describe("the policy language through Envoy", () => {
  const docs = (args: Record<string, unknown>, name = "read_document") => toolsCall("wiki.docs.acme.internal", name, args);
  const fetchPage = (url: unknown) => toolsCall("fetch.acme.internal", "fetch_page", { url });
  const rule = (id: string) => `acme/research-agent/allowed_tools/${id}`;

  it("lets the document-store agent read under /docs", async () => {
    await expectForwarded(docs({ path: "/docs/handbook/intro.md" }));
    await expectForwarded(docs({ path: "/docs/a/../b.md" }));
  });

  it("refuses a document outside /docs, also when dot-dot or encoded slashes reach for it", async () => {
    for (const path of ["/etc/passwd", "/docs/../etc/passwd", "/docs/../../../etc/passwd", "/docs%2f..%2fetc%2fpasswd", "/docsx/a"]) {
      await expectRefused(docs({ path }), "param_not_allowed", rule("docs-mcp/actions/read_document/params/path"));
    }
    await expectRefused(docs({}), "param_not_allowed", rule("docs-mcp/actions/read_document/params/path"));
  });

  it("lets the fetch tool reach *.wikipedia.org only", async () => {
    await expectForwarded(fetchPage("https://en.wikipedia.org/wiki/Open_Policy_Agent"));
    await expectForwarded(fetchPage("http://de.wikipedia.org/"));
    for (const url of ["https://example.com/", "https://wikipedia.org/", "https://en.wikipedia.org@evil.example/", "https://en.wikipedia.org:8443/", "https://en.wikipedia.org.evil.example/", "ftp://en.wikipedia.org/"]) {
      await expectRefused(fetchPage(url), "param_not_allowed", rule("web-fetch/params/url"));
    }
  });

  it("refuses a parameter the fetch tool does not name (additional_params: deny)", async () => {
    await expectRefused(toolsCall("fetch.acme.internal", "fetch_page", { url: "https://en.wikipedia.org/", proxy: "http://evil.example" }), "param_not_allowed", rule("web-fetch/additional_params"));
  });

  it("denies with a custom Rego rule's own reason and its file:row rule id", async () => {
    await expectRefused(docs({ recipient: "eve@evil.example" }, "share_document"), "custom:recipient_domain", "custom/domain-allowlist.rego:32");
    await expectForwarded(docs({ recipient: "ana@acme.com" }, "share_document"));
  });
});
