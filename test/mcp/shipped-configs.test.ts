// What makes deploy/envoy/mcp.yaml (and the MCP route of the Helm sidecar example) safe for MCP,
// checked statically; test/mcp/*.test.ts run the same file in the real Envoy.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/opa.ts";
import { shippedMcpConfig } from "./support/envoy-mcp.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const manager = (config: Json): Json => config.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
const mcpRoutes = (config: Json): Json[] =>
  (manager(config).route_config.virtual_hosts as Json[]).flatMap((v) => v.routes as Json[]).filter((r) => r.typed_per_filter_config?.["envoy.filters.http.ext_authz"]?.check_settings?.context_extensions?.protocol === "mcp");

const helmSidecar = (): Json => {
  const docs = parseAllDocuments(readFileSync(join(REPO_ROOT, "deploy", "helm", "examples", "agent-with-envoy-sidecar.yaml"), "utf8")).map((d) => d.toJS() as Json);
  return parse(docs.find((d) => d.kind === "ConfigMap")!.data["envoy.yaml"] as string) as Json;
};

describe.each([
  ["deploy/envoy/mcp.yaml", shippedMcpConfig],
  ["the Helm sidecar example", helmSidecar],
])("%s", (_, load) => {
  const config = load();

  it("marks its MCP routes protocol: mcp with no route timeout and an hour of idle time, so SSE streams live", () => {
    const routes = mcpRoutes(config);
    expect(routes.length).toBeGreaterThan(0);
    for (const r of routes) expect(r.route).toMatchObject({ timeout: "0s", idle_timeout: "3600s" });
    expect(manager(config).stream_idle_timeout).toBe("3600s");
  });

  it("sends whole bodies or none, fails closed, and stamps the identity before ext_authz", () => {
    const filters = manager(config).http_filters as Json[];
    const names = filters.map((f) => f.name);
    expect(names.indexOf("envoy.filters.http.header_mutation")).toBeLessThan(names.indexOf("envoy.filters.http.ext_authz"));
    const authz = filters.find((f) => f.name === "envoy.filters.http.ext_authz")!.typed_config;
    expect(authz.with_request_body).toMatchObject({ allow_partial_message: false, pack_as_bytes: true });
    expect(authz.failure_mode_allow).toBe(false);
    const mutations = filters.find((f) => f.name === "envoy.filters.http.header_mutation")!.typed_config.mutations.request_mutations as Json[];
    for (const key of ["x-aegis-tenant", "x-aegis-agent"]) {
      expect(mutations).toContainEqual({ append: { header: { key, value: expect.any(String) }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" } });
    }
  });
});
