import { describe, expect, it } from "vitest";
import { opaEnvoyPluginSpec } from "./opa-envoy-peer.ts";

describe("the OPA-Envoy plugin's command line", () => {
  const spec = opaEnvoyPluginSpec("opa-envoy", { policyDir: "staged-policy", grpcTarget: "127.0.0.1:9191", httpPort: 8181 });

  it("serves ext_authz on the given address with the decision path the stand-in's policy defines", () => {
    expect(spec.args.slice(0, 2)).toEqual(["run", "--server"]);
    expect(spec.args).toContain("plugins.envoy_ext_authz_grpc.addr=127.0.0.1:9191");
    expect(spec.args).toContain("plugins.envoy_ext_authz_grpc.path=envoy/authz/result");
    expect(spec.args.at(-1)).toBe("staged-policy");
  });

  it("configures no decision log and waits until the gRPC listener reports ready", () => {
    expect(spec.args.join(" ")).not.toMatch(/decision_logs/);
    expect(spec.ready).toEqual({ kind: "http", url: "http://127.0.0.1:8181/health?plugins" });
  });
});
