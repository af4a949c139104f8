// The policies the ext_proc tests run against, written to a fresh directory and built with the
// real `aegis build`: an agent whose payments carry a sanitized card number, and MCP agents
// with a wide and a narrow view of the same document server (the tool deploy/envoy/mcp.yaml routes).
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { aegis } from "../support/cli.ts";

export const FAKE_CARD = "4111111111111111";
export const FAKE_API_KEY = "sk-live-FAKEFAKE0123456789abcdefXYZ";

const FILES: Record<string, string> = {
  "acme/tenant.yaml": `apiVersion: aegis/v1
kind: Tenant
tenant: acme
egress_allowlist: [api.stripe.com, "*.docs.acme.internal", mcp.acme.internal, mcp.docs.acme.internal]
`,
  "pay-agent/policy.yaml": `apiVersion: aegis/v1
kind: AgentPolicy
tenant: acme
agent: pay-agent
allowed_tools:
  - name: stripe-payments
    actions: [create_payment]
    sanitize:
      params: [card_number]
`,
  "mcp-wide/policy.yaml": `apiVersion: aegis/v1
kind: AgentPolicy
tenant: acme
agent: mcp-wide
allowed_tools:
  - name: payments-mcp
    protocol: mcp
    actions:
      - search_documents
      - name: read_document
        sanitize:
          response:
            patterns: [api_key, card_number]
            paths: [structuredContent.owner_token]
      - update_document
`,
  "mcp-narrow/policy.yaml": `apiVersion: aegis/v1
kind: AgentPolicy
tenant: acme
agent: mcp-narrow
allowed_tools:
  - name: payments-mcp
    protocol: mcp
    actions: [search_documents]
`,
  "mcp-pay/policy.yaml": `apiVersion: aegis/v1
kind: AgentPolicy
tenant: acme
agent: mcp-pay
allowed_tools:
  - name: doc-store
    protocol: mcp
    actions:
      - name: pay_invoice
        sanitize:
          params: [card_number]
`,
};

/** Writes the policies and builds them; returns the bundle path. */
export function buildExtProcBundle(): { dir: string; bundle: string } {
  const dir = mkdtempSync(join(tmpdir(), "aegis-extproc-"));
  for (const [name, text] of Object.entries(FILES)) {
    mkdirSync(join(dir, "policies", name, ".."), { recursive: true });
    writeFileSync(join(dir, "policies", name), text);
  }
  const bundle = join(dir, "bundle.tar.gz");
  const r = aegis(["build", join(dir, "policies"), "-o", bundle]);
  expect(r.code, r.stderr).toBe(0);
  return { dir, bundle };
}
