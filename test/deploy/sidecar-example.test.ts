// deploy/helm/examples/agent-with-envoy-sidecar.yaml: its Envoy config, run by the real Envoy with
// only the cluster addresses re-pointed at this machine, stamps the agent's identity before
// ext_authz (overwriting a forged one) and enforces Aegis's answers.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAegisProcess, type RunningAegisProcess } from "../support/aegis-server.ts";
import { aegis } from "../support/cli.ts";
import { envoyBinary } from "../support/envoy.ts";
import { httpRequest, type HttpResult } from "../support/http.ts";
import { freePort, waitFor } from "../support/ports.ts";
import { startUpstream, type RunningUpstream } from "../support/upstream.ts";
import { EXAMPLES_DIR, one, render, type Manifest } from "./helm-chart.ts";

const example = parseAllDocuments(readFileSync(join(EXAMPLES_DIR, "agent-with-envoy-sidecar.yaml"), "utf8")).map((d) => d.toJS() as Manifest);
/** A fresh copy of the sidecar's envoy.yaml each call. */
const envoyConfig = () => parse(one(example, "ConfigMap")["data"]["envoy.yaml"] as string) as Manifest;

function socketAddress(config: Manifest, cluster: string): Manifest {
  return config["static_resources"]["clusters"].find((c: Manifest) => c["name"] === cluster)["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]["address"]["socket_address"];
}

describe("the agent sidecar example", () => {
  it("points Envoy's aegis cluster at the chart's Service as installed in its comment (release aegis, namespace aegis-system)", () => {
    const service = one(render([], "aegis", "aegis-system"), "Service");
    const grpcPort = service["spec"]["ports"].find((p: Manifest) => p["name"] === "grpc")["port"];
    expect(socketAddress(envoyConfig(), "aegis")).toEqual({ address: `${service["metadata"]["name"]}.aegis-system.svc.cluster.local`, port_value: grpcPort });
  });

  it("mounts the ConfigMap's envoy.yaml where the sidecar reads it", () => {
    const pod = one(example, "Deployment")["spec"]["template"]["spec"];
    const envoy = pod["containers"].find((c: Manifest) => c["name"] === "envoy");
    const mount = envoy["volumeMounts"][0];
    expect(envoy["args"].slice(0, 2)).toEqual(["-c", `${mount["mountPath"]}/envoy.yaml`]);
    expect(pod["volumes"].find((v: Manifest) => v["name"] === mount["name"])["configMap"]["name"]).toBe(one(example, "ConfigMap")["metadata"]["name"]);
  });
});

describe("the agent sidecar example, run", () => {
  let dir: string;
  let server: RunningAegisProcess;
  let upstream: RunningUpstream;
  let envoyPort: number;
  let stopEnvoy: () => Promise<void>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "aegis-sidecar-"));
    const bundle = join(dir, "bundle.tar.gz");
    const built = aegis(["build", "policies/examples", "-o", bundle]);
    expect(built.code, built.stderr).toBe(0);
    // The example's install command trusts identity headers.
    server = await startAegisProcess({ args: ["--bundle", bundle, "--state", `sqlite:${join(dir, "s.db")}`, "--trust-identity-headers"] });
    upstream = await startUpstream();

    const config = envoyConfig();
    const adminPort = await freePort();
    envoyPort = await freePort();
    config["admin"]["address"]["socket_address"]["port_value"] = adminPort;
    config["static_resources"]["listeners"][0]["address"]["socket_address"]["port_value"] = envoyPort;
    Object.assign(socketAddress(config, "aegis"), { address: "127.0.0.1", port_value: server.grpcPort });
    const stripe = config["static_resources"]["clusters"].find((c: Manifest) => c["name"] === "stripe");
    Object.assign(socketAddress(config, "stripe"), { address: "127.0.0.1", port_value: upstream.port });
    delete stripe["transport_socket"];
    const file = join(dir, "envoy.yaml");
    writeFileSync(file, stringify(config));

    let output = "";
    const child = spawn(envoyBinary(), ["-c", file, "--use-dynamic-base-id", "--log-level", "warn", "--concurrency", "1"], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    stopEnvoy = async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    };
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`envoy exited: ${output}`);
      return (await fetch(`http://127.0.0.1:${adminPort}/ready`)).status === 200;
    }, "envoy to become ready");
  });
  afterAll(async () => {
    await stopEnvoy?.();
    await upstream?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function pay(amount: number, headers: Record<string, string> = {}): Promise<HttpResult> {
    return httpRequest({
      port: envoyPort, host: "api.stripe.com", method: "POST", path: "/v1/payment_intents",
      headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ amount }),
    });
  }

  it("lets an allowed payment through as the pod's agent, even when the agent claims another identity", async () => {
    // The planner has no payment tool: were the forged header believed, this would be tool_not_allowed.
    const response = await pay(120, { "x-aegis-agent": "planner", "x-aegis-tenant": "globex" });
    expect(response.status, response.body).toBe(200);
    const seen = upstream.received.at(-1);
    expect(seen?.headers["x-aegis-agent"]).toBe("finance-agent");
    expect(seen?.headers["x-aegis-decision-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses a payment over the hard limit with Aegis's 403", async () => {
    const before = upstream.received.length;
    const response = await pay(60000);
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({ error: "PolicyViolation", reason: "blocked_over_hard_limit" });
    expect(upstream.received.length).toBe(before);
  });
});
