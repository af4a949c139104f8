// Every shipped Envoy config keeps the settings the body and path protections rely on, so a
// config edit cannot quietly reopen partial-body or traversal holes (the Envoy runs of
// body-truncated and path-traversal cover deploy/envoy/envoy.yaml; this covers every config).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/opa.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function sidecarExample(): Json {
  const docs = parseAllDocuments(readFileSync(join(REPO_ROOT, "deploy", "helm", "examples", "agent-with-envoy-sidecar.yaml"), "utf8")).map((d) => d.toJS() as Json);
  const configMap = docs.find((d) => d["kind"] === "ConfigMap");
  return parse(configMap?.["data"]["envoy.yaml"] as string) as Json;
}

const configs: [name: string, load: () => Json][] = [
  ["deploy/envoy/envoy.yaml", () => parse(readFileSync(join(REPO_ROOT, "deploy", "envoy", "envoy.yaml"), "utf8")) as Json],
  ["deploy/envoy/mcp.yaml", () => parse(readFileSync(join(REPO_ROOT, "deploy", "envoy", "mcp.yaml"), "utf8")) as Json],
  ["the Helm sidecar example", sidecarExample],
];

function connectionManagers(config: Json): Json[] {
  return (config["static_resources"]["listeners"] as Json[]).flatMap((l) =>
    (l["filter_chains"] as Json[]).flatMap((c) => (c["filters"] as Json[]).filter((f) => f["name"] === "envoy.filters.network.http_connection_manager").map((f) => f["typed_config"])),
  );
}

describe.each(configs)("%s", (_name, load) => {
  it("sends whole bodies or none (over max_request_bytes Envoy answers 413)", () => {
    const managers = connectionManagers(load());
    expect(managers.length).toBeGreaterThan(0);
    for (const hcm of managers) {
      const authz = (hcm["http_filters"] as Json[]).find((f) => f["name"] === "envoy.filters.http.ext_authz");
      expect(authz?.["typed_config"]["with_request_body"]).toMatchObject({ max_request_bytes: 65536, allow_partial_message: false });
    }
  });

  it("normalizes paths and refuses escaped slashes before ext_authz sees them", () => {
    for (const hcm of connectionManagers(load())) {
      expect(hcm).toMatchObject({ normalize_path: true, merge_slashes: true, path_with_escaped_slashes_action: "REJECT_REQUEST" });
    }
  });
});
