// Every shipped Envoy config carries the ext_proc filter as the contract needs it, and the real
// Envoy 1.40 accepts it (`envoy --mode validate`): after ext_authz, failing closed, BUFFERED
// request bodies and STREAMED responses by default, modes overridable per call, the ext_authz
// decision forwarded.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { envoyBinary } from "../support/envoy.ts";
import { REPO_ROOT } from "../support/opa.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function helmSidecarConfig(): string {
  const docs = parseAllDocuments(readFileSync(join(REPO_ROOT, "deploy", "helm", "examples", "agent-with-envoy-sidecar.yaml"), "utf8")).map((d) => d.toJS() as Json);
  return docs.find((d) => d?.["kind"] === "ConfigMap")!["data"]["envoy.yaml"] as string;
}

const CONFIGS: Record<string, () => string> = {
  "deploy/envoy/envoy.yaml": () => readFileSync(join(REPO_ROOT, "deploy", "envoy", "envoy.yaml"), "utf8"),
  "deploy/envoy/mcp.yaml": () => readFileSync(join(REPO_ROOT, "deploy", "envoy", "mcp.yaml"), "utf8"),
  "deploy/helm/examples/agent-with-envoy-sidecar.yaml": helmSidecarConfig,
};

describe.each(Object.entries(CONFIGS))("%s", (_name, text) => {
  it("has ext_proc right after ext_authz, failing closed, with the decision forwarded", () => {
    const config = parse(text()) as Json;
    const filters = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]["http_filters"] as Json[];
    const names = filters.map((f) => f["name"]);
    expect(names.indexOf("envoy.filters.http.ext_proc")).toBe(names.indexOf("envoy.filters.http.ext_authz") + 1);
    const wrapped = filters.find((f) => f["name"] === "envoy.filters.http.ext_proc")!["typed_config"];
    // Skipped only on the header ext_authz sets ("skip", and "response" where a response-only
    // ext_proc filter takes those calls), never by default.
    expect(wrapped["@type"]).toBe("type.googleapis.com/envoy.extensions.common.matching.v3.ExtensionWithMatcher");
    const matcher = wrapped["xds_matcher"]["matcher_list"]["matchers"];
    expect(matcher).toHaveLength(1);
    const responseOnly = filters.find((f) => f["name"] === "aegis.ext_proc.response_only");
    const predicates = (responseOnly === undefined ? [matcher[0]["predicate"]] : matcher[0]["predicate"]["or_matcher"]["predicate"]) as Json[];
    for (const p of predicates) expect(p["single_predicate"]["input"]["typed_config"]["header_name"]).toBe("x-aegis-ext-proc");
    expect(predicates.map((p) => p["single_predicate"]["value_match"])).toEqual(responseOnly === undefined ? [{ exact: "skip" }] : [{ exact: "skip" }, { exact: "response" }]);
    expect(wrapped["xds_matcher"]["on_no_match"]).toBeUndefined();
    const extProc = wrapped["extension_config"]["typed_config"];
    expect(extProc["failure_mode_allow"]).toBe(false);
    expect(extProc["allow_mode_override"]).toBe(true);
    expect(extProc["processing_mode"]).toMatchObject({ request_body_mode: "BUFFERED", response_header_mode: "SKIP", response_body_mode: "NONE" });
    expect(extProc["metadata_options"]["forwarding_namespaces"]["untyped"]).toEqual(["envoy.filters.http.ext_authz"]);
    expect(extProc["grpc_service"]["envoy_grpc"]["cluster_name"]).toBe("aegis");
  });

  it("reads only the response of a call marked x-aegis-ext-proc: response, if it has a filter for those", () => {
    const config = parse(text()) as Json;
    const filters = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]["http_filters"] as Json[];
    const names = filters.map((f) => f["name"]);
    const at = names.indexOf("aegis.ext_proc.response_only");
    if (at === -1) return;
    // Right after the full ext_proc filter, running on "response" alone.
    expect(at).toBe(names.indexOf("envoy.filters.http.ext_proc") + 1);
    // A composite filter: ext_proc runs only where the header matched, so a local reply (which
    // never reached these request headers) opens no stream.
    const wrapped = filters[at]!["typed_config"];
    expect(wrapped["extension_config"]["typed_config"]["@type"]).toBe("type.googleapis.com/envoy.extensions.filters.http.composite.v3.Composite");
    const matcher = wrapped["xds_matcher"]["matcher_list"]["matchers"];
    expect(matcher).toHaveLength(1);
    expect(wrapped["xds_matcher"]["on_no_match"]).toBeUndefined();
    const predicate = matcher[0]["predicate"]["single_predicate"];
    expect(predicate["input"]["typed_config"]["header_name"]).toBe("x-aegis-ext-proc");
    expect(predicate["value_match"]).toEqual({ exact: "response" });
    const action = matcher[0]["on_match"]["action"]["typed_config"];
    expect(action["@type"]).toBe("type.googleapis.com/envoy.extensions.filters.http.composite.v3.ExecuteFilterAction");
    const extProc = action["typed_config"]["typed_config"];
    expect(extProc["@type"]).toBe("type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor");
    expect(extProc["failure_mode_allow"]).toBe(false);
    expect(extProc["allow_mode_override"]).toBe(true);
    expect(extProc["processing_mode"]).toMatchObject({ request_header_mode: "SKIP", request_body_mode: "NONE", response_header_mode: "SEND", response_body_mode: "STREAMED" });
    expect(extProc["metadata_options"]["forwarding_namespaces"]["untyped"]).toEqual(["envoy.filters.http.ext_authz"]);
    // The agent cannot send the cue itself.
    const mutation = filters.find((f) => f["name"] === "envoy.filters.http.header_mutation")!;
    expect(mutation["typed_config"]["mutations"]["request_mutations"]).toContainEqual({ remove: "x-aegis-ext-proc" });
  });

  // The shipped text, and the same with the modes Aegis switches a call to (STREAMED responses).
  it.each(["as shipped", "with STREAMED responses as the default"])("is accepted by envoy --mode validate, %s", (variant) => {
    const dir = mkdtempSync(join(tmpdir(), "aegis-extproc-validate-"));
    try {
      const path = join(dir, "envoy.yaml");
      const streamed = text().replace("response_header_mode: SKIP", "response_header_mode: SEND").replace("response_body_mode: NONE", "response_body_mode: STREAMED");
      if (variant !== "as shipped") expect(streamed).not.toBe(text());
      writeFileSync(path, variant === "as shipped" ? text() : streamed);
      const r = spawnSync(envoyBinary(), ["--mode", "validate", "-c", path, "--use-dynamic-base-id"], { encoding: "utf8", timeout: 120_000 });
      expect(r.status, r.stderr + r.stdout).toBe(0);
      expect(r.stdout + r.stderr).toMatch(/OK/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 130_000);
});
