// The operator's path to a running Aegis without proto files: the real grpcurl (provisioned by
// scripts/setup.sh) against a real `aegis serve`, through server reflection only. It used to fail
// with `cannot resolve type: "*.type.v3.HttpStatus"`: the reflected files named their types
// relative to their scope and imported nothing. Now list, describe and a Check all work.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HEADER } from "../../src/input/header-names.ts";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { REPO_ROOT } from "../support/opa.ts";
import { buildBundle, serve, workDir, writeConfig } from "../runtime/runtime-harness.ts";

const GRPCURL = join(REPO_ROOT, ".tools", "bin", "grpcurl");

function grpcurl(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(GRPCURL, ["-plaintext", ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : 1, stdout, stderr });
    });
  });
}

describe("grpcurl through server reflection against aegis serve", () => {
  let server: RunningAegisProcess | undefined;
  let address: string;

  beforeAll(async () => {
    if (!existsSync(GRPCURL)) throw new Error(`grpcurl not found at ${GRPCURL}: run scripts/setup.sh grpcurl`);
    const work = workDir("grpcurl");
    const bundle = buildBundle(work);
    server = await serve({ bundle, state: `sqlite:${join(work, "state.db")}`, config: writeConfig(work, "aegis") });
    address = `127.0.0.1:${server.grpcPort}`;
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("lists the ext_authz and health services", async () => {
    const r = await grpcurl([address, "list"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n")).toEqual(expect.arrayContaining(["envoy.service.auth.v3.Authorization", "grpc.health.v1.Health"]));
  });

  it("describes envoy.service.auth.v3.Authorization", async () => {
    const r = await grpcurl([address, "describe", "envoy.service.auth.v3.Authorization"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("rpc Check ( .envoy.service.auth.v3.CheckRequest ) returns ( .envoy.service.auth.v3.CheckResponse );");
  });

  it("describes CheckResponse and the types it reaches in other files (HttpStatus, Struct, map entries)", async () => {
    const response = await grpcurl([address, "describe", "envoy.service.auth.v3.CheckResponse"]);
    expect(response.code, response.stderr).toBe(0);
    expect(response.stdout).toContain(".envoy.service.auth.v3.DeniedHttpResponse denied_response = 2;");
    const denied = await grpcurl([address, "describe", "envoy.service.auth.v3.DeniedHttpResponse"]);
    expect(denied.code, denied.stderr).toBe(0);
    expect(denied.stdout).toContain(".envoy.type.v3.HttpStatus status = 1;");
    const http = await grpcurl([address, "describe", "envoy.service.auth.v3.AttributeContext.HttpRequest"]);
    expect(http.code, http.stderr).toBe(0);
    expect(http.stdout).toContain("map<string, string> headers = 3;");
  });

  it("invokes Authorization/Check with a JSON request and gets a decision", async () => {
    const request = {
      attributes: {
        request: {
          http: {
            method: "POST", host: "api.stripe.com", path: "/v1/payment_intents",
            headers: { [HEADER.tenant]: "acme", [HEADER.agent]: "finance-agent", "content-type": "application/json" },
            body: JSON.stringify({ amount: 100, currency: "eur" }),
          },
        },
        context_extensions: { tool: "stripe-payments", action: "create_payment" },
      },
    };
    const r = await grpcurl(["-d", JSON.stringify(request), address, "envoy.service.auth.v3.Authorization/Check"]);
    expect(r.code, r.stderr).toBe(0);
    const response = JSON.parse(r.stdout) as { status?: { code?: number }; ok_response?: unknown; dynamic_metadata?: Record<string, unknown> };
    expect(response.ok_response).toBeDefined();
    expect(response.dynamic_metadata).toMatchObject({ outcome: "allow", decision_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it("answers grpc.health.v1.Health/Check SERVING", async () => {
    const r = await grpcurl(["-d", JSON.stringify({ service: "envoy.service.auth.v3.Authorization" }), address, "grpc.health.v1.Health/Check"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ status: "SERVING" });
  });
});
