// The Helm chart, rendered by the real Helm CLI. The rendered Deployment is checked against the
// real `aegis serve`: its flags are parsed by the CLI itself, its environment variables must be
// ones the config loader reads, and the aegis.yaml it renders must load — and boot a server.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Client, credentials, Metadata } from "@grpc/grpc-js";
import { Ajv } from "ajv";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import configSchema from "../../schemas/config.schema.json" with { type: "json" };
import type { HealthCheckRequest, HealthCheckResponse } from "../../src/grpc/ext-authz-types.ts";
import { loadProtos } from "../../src/grpc/load-protos.ts";
import { createAegisClient } from "../../src/sdk/index.ts";
import { ENV_VARS, loadConfig, type Config } from "../../src/server/config.ts";
import { startAegisProcess } from "../support/aegis-server.ts";
import { aegis } from "../support/cli.ts";
import { embeddedConfigSchema } from "../../deploy/helm/sync-values-schema.ts";
import { CHART_DIR, configText, container, EXAMPLES_DIR, helm, one, render, type Manifest } from "./helm-chart.ts";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "aegis-helm-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Loads the rendered aegis.yaml with the rendered AEGIS_* env, as `aegis serve` would (secret values stand in). */
function loadRenderedConfig(manifests: readonly Manifest[]): Config {
  const file = join(dir, `aegis-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, configText(manifests));
  const env: Record<string, string> = {};
  for (const e of (container(manifests)["env"] ?? []) as Manifest[]) {
    env[e["name"]] = e["value"] ?? (e["name"] === "AEGIS_STATE" ? "redis://from-secret:6379/0" : "from-secret");
  }
  return loadConfig({ file, env });
}

function mountFor(manifests: readonly Manifest[], path: string): { mount: Manifest; volume: Manifest } {
  const spec = one(manifests, "Deployment")["spec"]["template"]["spec"];
  const mount = (container(manifests)["volumeMounts"] as Manifest[]).find((m) => path.startsWith(`${m["mountPath"]}/`));
  if (mount === undefined) throw new Error(`no volume is mounted where ${path} lives`);
  const volume = (spec["volumes"] as Manifest[]).find((v) => v["name"] === mount["name"]);
  if (volume === undefined) throw new Error(`volume ${mount["name"]} is mounted but not defined`);
  return { mount, volume };
}

function renderFails(args: readonly string[]): string {
  try {
    render(args);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`rendering succeeded with ${args.join(" ")}`);
}

describe("helm lint", () => {
  it.each<[string, string[]]>([
    ["default values", []],
    ["the HA example (replicas sharing Redis)", ["-f", join(EXAMPLES_DIR, "values-ha.yaml")]],
    ["everything switched on", [
      "--set", "state.url=redis://redis:6379/0", "--set", "autoscaling.enabled=true", "--set", "serviceMonitor.enabled=true",
      "--set", "networkPolicy.enabled=true", "--set", "headlessService.enabled=true", "--set", "adminToken.existingSecret=a", "--set", "decisionLog.enabled=true",
      "--set", "decisionLog.auditSigningKey.existingSecret=k", "--set", "callChain.keysSecret=c", "--set", "callChain.tenants={acme}",
    ]],
  ])("passes --strict for %s", (_name, args) => {
    const r = helm(["lint", "--strict", CHART_DIR, ...args]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("1 chart(s) linted, 0 chart(s) failed");
  });
});

describe("default values", () => {
  const manifests = () => render();

  it("render a ConfigMap, Deployment, Service, ServiceAccount, override-token Secret and PodDisruptionBudget, nothing optional", () => {
    expect(manifests().map((m) => m["kind"]).sort()).toEqual(["ConfigMap", "Deployment", "PodDisruptionBudget", "Secret", "Service", "ServiceAccount"]);
  });

  it("run `aegis serve --config` on the rendered aegis.yaml, with flags the real CLI accepts", () => {
    const args = container(manifests())["args"] as string[];
    expect(args.slice(0, 2)).toEqual(["serve", "--config"]);
    // parseArgs rejects unknown flags (exit 2) before --help is honoured (exit 0).
    const accepted = aegis([...args, "--help"]);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(aegis([...args, "--no-such-flag", "--help"]).code).toBe(2);
    expect(mountFor(manifests(), args[2]!).volume["configMap"]["name"]).toBe(one(manifests(), "ConfigMap")["metadata"]["name"]);
  });

  it("render an aegis.yaml that loads: ports 9191/8181, the bundle from the ConfigMap, SQLite on the data volume", () => {
    const config = loadRenderedConfig(manifests());
    expect(config).toMatchObject({
      grpc: { addr: ":9191" }, http: { addr: ":8181" }, bundle: { source: "/etc/aegis/bundle/bundle.tar.gz" },
      state: "sqlite:/var/lib/aegis/aegis.db", approvals: { token_secret_file: "/etc/aegis/override-token/override-token.key" },
    });
    const spec = one(manifests(), "Deployment")["spec"]["template"]["spec"];
    expect(mountFor(manifests(), config.bundle.source!).volume).toEqual({ name: "bundle", configMap: { name: "aegis-bundle" } });
    const data = mountFor(manifests(), config.state.slice("sqlite:".length));
    expect(data.mount["readOnly"]).toBeUndefined();
    expect(data.volume["emptyDir"]).toBeDefined();
    expect(spec["volumes"].map((v: Manifest) => v["name"])).toContain("tmp");
  });

  it("expose grpc 9191 and http 8181 on the pod and the Service, with appProtocol grpc", () => {
    expect(container(manifests())["ports"]).toEqual([
      { name: "grpc", containerPort: 9191, protocol: "TCP" },
      { name: "http", containerPort: 8181, protocol: "TCP" },
    ]);
    expect(one(manifests(), "Service")["spec"]["ports"]).toEqual([
      { name: "grpc", port: 9191, targetPort: "grpc", protocol: "TCP", appProtocol: "grpc" },
      { name: "http", port: 8181, targetPort: "http", protocol: "TCP", appProtocol: "http" },
    ]);
  });

  it("probe /readyz for readiness and /healthz for liveness on the http port", () => {
    const c = container(manifests());
    expect(c["readinessProbe"]["httpGet"]).toEqual({ path: "/readyz", port: "http" });
    expect(c["livenessProbe"]["httpGet"]).toEqual({ path: "/healthz", port: "http" });
  });

  it("run non-root on a read-only root file system", () => {
    const spec = one(manifests(), "Deployment")["spec"]["template"]["spec"];
    expect(spec["securityContext"]).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(container(manifests())["securityContext"]).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
  });

  it("give the pod longer to terminate than aegis takes to stop (shutdown_delay_ms + shutdown_grace_ms + 5 s)", () => {
    const spec = one(manifests(), "Deployment")["spec"]["template"]["spec"];
    const config = loadRenderedConfig(manifests());
    expect(spec["terminationGracePeriodSeconds"] * 1000).toBeGreaterThan(config.shutdown_delay_ms + config.shutdown_grace_ms + 5000);
  });

  it("select the pods by the same labels in the Deployment, Service and PodDisruptionBudget", () => {
    const podLabels = one(manifests(), "Deployment")["spec"]["template"]["metadata"]["labels"];
    expect(podLabels).toMatchObject(one(manifests(), "Service")["spec"]["selector"]);
    expect(podLabels).toMatchObject(one(manifests(), "PodDisruptionBudget")["spec"]["selector"]["matchLabels"]);
  });

  it("create an override-token secret of the shape aegis reads: base64 text of at least 16 bytes", () => {
    const secret = one(manifests(), "Secret");
    const fileText = Buffer.from(secret["data"]["override-token.key"], "base64").toString("utf8");
    expect(Buffer.from(fileText, "base64").length).toBe(32);
    expect(mountFor(manifests(), loadRenderedConfig(manifests()).approvals.token_secret_file).volume["secret"]["secretName"]).toBe(secret["metadata"]["name"]);
  });
});

describe("replicas", () => {
  it("share Redis state from state.url", () => {
    const manifests = render(["--set", "replicaCount=3", "--set", "state.url=redis://redis-master:6379/0"]);
    expect(one(manifests, "Deployment")["spec"]["replicas"]).toBe(3);
    expect(loadRenderedConfig(manifests).state).toBe("redis://redis-master:6379/0");
  });

  it("take a Redis URL with a password from a Secret as AEGIS_STATE, keeping it out of the ConfigMap", () => {
    const manifests = render(["--set", "replicaCount=3", "--set", "state.existingSecret=aegis-redis"]);
    expect(container(manifests)["env"]).toContainEqual({ name: "AEGIS_STATE", valueFrom: { secretKeyRef: { name: "aegis-redis", key: "state-url" } } });
    expect(parseYaml(configText(manifests))).not.toHaveProperty("state");
    expect(loadRenderedConfig(manifests).state).toBe("redis://from-secret:6379/0");
  });

  it("scale with a HorizontalPodAutoscaler instead of a fixed count", () => {
    const manifests = render(["--set", "autoscaling.enabled=true", "--set", "state.url=rediss://redis:6380"]);
    expect(one(manifests, "HorizontalPodAutoscaler")["spec"]).toMatchObject({ minReplicas: 2, maxReplicas: 6, scaleTargetRef: { kind: "Deployment", name: "aegis" } });
    expect(one(manifests, "Deployment")["spec"]).not.toHaveProperty("replicas");
  });
});

describe("rendering fails with a clear message", () => {
  it.each<[string, string[], RegExp]>([
    ["replicas on per-pod SQLite", ["--set", "replicaCount=3"], /allow 3 pods but state is per-pod SQLite: set state\.url to redis:\/\/HOST:PORT/],
    ["replicas on an explicit SQLite URL", ["--set", "replicaCount=2", "--set", "state.url=sqlite:/var/lib/aegis/x.db"], /state is per-pod SQLite/],
    ["an autoscaler on SQLite", ["--set", "autoscaling.enabled=true"], /allow 6 pods but state is per-pod SQLite/],
    ["a volume with replicas", ["--set", "replicaCount=2", "--set", "state.url=redis://r:6379", "--set", "persistence.enabled=true"], /persistence\.enabled needs a single replica/],
    ["two bundle sources", ["--set", "bundle.url=http://b/x.tar.gz", "--set", "bundle.volume.emptyDir.medium=Memory"], /set only one bundle source/],
    ["a required signature without a key", ["--set", "bundle.requireSignature=true"], /bundle\.requireSignature needs bundle\.verificationKey\.existingSecret/],
    ["a grace period shorter than the drain", ["--set", "terminationGracePeriodSeconds=15"], /terminationGracePeriodSeconds \(15 s\) must exceed shutdownDelayMs \+ shutdownGraceMs \+ 5 s \(15000 ms\)/],
    ["a grace period shorter than delay and drain", ["--set", "shutdownDelayMs=20000"], /terminationGracePeriodSeconds \(30 s\) must exceed .* \(35000 ms\)/],
    ["call-chain tenants without keys", ["--set", "callChain.tenants={acme}"], /callChain\.tenants needs callChain\.keysSecret/],
    ["an audit key without a decision log", ["--set", "decisionLog.auditSigningKey.existingSecret=k"], /enable decisionLog too/],
    ["an unknown aegis.yaml key (values.schema.json embeds the config schema)", ["--set", "config.limits.max_bodybytes=1"], /additional properties 'max_bodybytes' not allowed/],
    ["a state URL of another kind", ["--set", "state.url=mysql://db/aegis"], /\/state\/url/],
    ["a bundle URL that is a file", ["--set", "bundle.url=file:///bundle.tar.gz"], /\/bundle\/url/],
    ["an unknown value", ["--set", "replicas=3"], /additional properties 'replicas' not allowed/],
  ])("%s", (_name, args, message) => {
    expect(renderFails(args)).toMatch(message);
  });
});

describe("bundle sources", () => {
  it("polls an OPA bundle server URL, with no bundle volume", () => {
    const manifests = render(["--set", "bundle.url=https://bundles.internal/aegis.tar.gz", "--set", "bundle.pollIntervalMs=30000"]);
    expect(loadRenderedConfig(manifests).bundle).toMatchObject({ source: "https://bundles.internal/aegis.tar.gz", poll_interval_ms: 30000 });
    expect(one(manifests, "Deployment")["spec"]["template"]["spec"]["volumes"].map((v: Manifest) => v["name"])).not.toContain("bundle");
  });

  it("reads a file from any volume source", () => {
    const manifests = render(["--set", "bundle.volume.persistentVolumeClaim.claimName=bundles", "--set", "bundle.file=prod.tar.gz"]);
    const source = loadRenderedConfig(manifests).bundle.source!;
    expect(source).toBe("/etc/aegis/bundle/prod.tar.gz");
    expect(mountFor(manifests, source).volume).toEqual({ name: "bundle", persistentVolumeClaim: { claimName: "bundles" } });
  });

  it("verifies signatures with a key mounted from a Secret", () => {
    const manifests = render(["--set", "bundle.verificationKey.existingSecret=bundle-key", "--set", "bundle.requireSignature=true", "--set", "bundle.keyId=k1"]);
    const config = loadRenderedConfig(manifests);
    expect(config.bundle).toMatchObject({ require_signature: true, key_id: "k1", verification_key: "/etc/aegis/keys/bundle/verification-key.pem" });
    const { mount, volume } = mountFor(manifests, config.bundle.verification_key!);
    expect(mount["readOnly"]).toBe(true);
    expect(volume["secret"]).toMatchObject({ secretName: "bundle-key" });
  });
});

describe("secrets and optional features", () => {
  it("passes the admin token as AEGIS_ADMIN_TOKEN from a Secret; every env var is one aegis reads", () => {
    const manifests = render(["--set", "adminToken.existingSecret=aegis-admin", "--set", "state.existingSecret=aegis-redis", "--set-json", 'extraEnv=[{"name":"AEGIS_LOG_LEVEL","value":"debug"}]']);
    const env = container(manifests)["env"] as Manifest[];
    expect(env).toContainEqual({ name: "AEGIS_ADMIN_TOKEN", valueFrom: { secretKeyRef: { name: "aegis-admin", key: "admin-token" } } });
    expect(env.map((e) => e["name"]).filter((name: string) => !Object.hasOwn(ENV_VARS, name))).toEqual([]);
    const config = loadRenderedConfig(manifests);
    expect(config.approvals.admin_token).toBe("from-secret");
    expect(config.log_level).toBe("debug");
  });

  it("signs decision-log checkpoints with a key from a Secret and writes file logs on the data volume", () => {
    const manifests = render(["--set", "decisionLog.enabled=true", "--set", "decisionLog.path=decisions.log", "--set", "decisionLog.auditSigningKey.existingSecret=audit-key"]);
    const config = loadRenderedConfig(manifests);
    expect(config.decision_log).toMatchObject({ path: "/var/lib/aegis/decisions.log", audit_signing_key: "/etc/aegis/keys/audit/audit-signing-key.pem" });
    expect(mountFor(manifests, config.decision_log.path!).mount["readOnly"]).toBeUndefined();
    expect(mountFor(manifests, config.decision_log.audit_signing_key!).volume["secret"]["secretName"]).toBe("audit-key");
  });

  it("maps each call-chain tenant to its key file in the keys Secret", () => {
    const manifests = render(["--set", "callChain.keysSecret=chain-keys", "--set", "callChain.tenants={acme,globex}"]);
    const keys = loadRenderedConfig(manifests).call_chain.keys;
    expect(keys).toEqual({ acme: "/etc/aegis/keys/call-chain/acme", globex: "/etc/aegis/keys/call-chain/globex" });
    expect(mountFor(manifests, keys["acme"]!).volume["secret"]["secretName"]).toBe("chain-keys");
  });

  it("uses a given override-token Secret instead of creating one", () => {
    const manifests = render(["--set", "overrideTokenSecret.existingSecret=tokens", "--set", "overrideTokenSecret.key=t.key"]);
    expect(manifests.map((m) => m["kind"])).not.toContain("Secret");
    const file = loadRenderedConfig(manifests).approvals.token_secret_file;
    expect(file).toBe("/etc/aegis/override-token/t.key");
    expect(mountFor(manifests, file).volume["secret"]["secretName"]).toBe("tokens");
  });

  it("merges config last, so any aegis.yaml key can be set", () => {
    const manifests = render(["--set", "config.limits.max_body_bytes=65536", "--set", "config.shadow.global=true", "--set", "identity.trustHeaders=true"]);
    expect(loadRenderedConfig(manifests)).toMatchObject({ limits: { max_body_bytes: 65536, max_depth: 32 }, shadow: { global: true }, identity: { trust_headers: true } });
  });

  it("renders integers as integers, never in float notation", () => {
    const manifests = render(["--set", "bundle.pollIntervalMs=120000000", "--set", "shutdownGraceMs=20000000", "--set", "shutdownDelayMs=5000", "--set", "terminationGracePeriodSeconds=20011"]);
    expect(configText(manifests)).toContain("poll_interval_ms: 120000000");
    expect(loadRenderedConfig(manifests).shutdown_grace_ms).toBe(20000000);
  });

  it("appends extraArgs after --config (flags win over the file)", () => {
    const args = container(render(["--set-json", 'extraArgs=["--shadow","--workers","2"]']))["args"] as string[];
    expect(args.slice(3)).toEqual(["--shadow", "--workers", "2"]);
    expect(aegis([...args, "--help"]).code).toBe(0);
  });

  it("keeps state on a PersistentVolumeClaim and recreates instead of rolling when persistence is on", () => {
    const manifests = render(["--set", "persistence.enabled=true", "--set", "persistence.size=5Gi"]);
    expect(one(manifests, "PersistentVolumeClaim")["spec"]["resources"]["requests"]["storage"]).toBe("5Gi");
    expect(one(manifests, "Deployment")["spec"]["strategy"]).toEqual({ type: "Recreate" });
    expect(mountFor(manifests, "/var/lib/aegis/aegis.db").volume).toEqual({ name: "data", persistentVolumeClaim: { claimName: "aegis-data" } });
  });

  it("scrapes /metrics on the http port with a ServiceMonitor that selects the Service", () => {
    const manifests = render(["--set", "serviceMonitor.enabled=true", "--set", "serviceMonitor.labels.release=prometheus"]);
    const monitor = one(manifests, "ServiceMonitor");
    expect(monitor["metadata"]["labels"]["release"]).toBe("prometheus");
    expect(monitor["spec"]["endpoints"]).toEqual([{ port: "http", path: "/metrics", interval: "30s", scrapeTimeout: "10s" }]);
    expect(one(manifests, "Service")["metadata"]["labels"]).toMatchObject(monitor["spec"]["selector"]["matchLabels"]);
  });

  it("publishes every ready pod's gRPC port through a headless Service when asked", () => {
    const services = render(["--set", "headlessService.enabled=true"]).filter((m) => m["kind"] === "Service");
    const headless = services.find((s) => s["metadata"]["name"] === "aegis-headless")!;
    expect(headless["spec"]).toMatchObject({ clusterIP: "None", selector: services.find((s) => s["metadata"]["name"] === "aegis")!["spec"]["selector"] });
    expect(headless["spec"]["ports"]).toEqual([{ name: "grpc", port: 9191, targetPort: "grpc", protocol: "TCP", appProtocol: "grpc" }]);
  });

  it("limits who reaches the gRPC port with a NetworkPolicy", () => {
    const peers = [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "agents" } } }];
    const manifests = render(["--set", "networkPolicy.enabled=true", "--set-json", `networkPolicy.grpcFrom=${JSON.stringify(peers)}`]);
    const ingress = one(manifests, "NetworkPolicy")["spec"]["ingress"] as Manifest[];
    expect(ingress[0]).toEqual({ ports: [{ port: "grpc", protocol: "TCP" }], from: peers });
    expect(ingress[1]).toEqual({ ports: [{ port: "http", protocol: "TCP" }] });
  });
});

describe("values.schema.json", () => {
  const valuesSchema = JSON.parse(readFileSync(join(CHART_DIR, "values.schema.json"), "utf8")) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const validate = new Ajv({ allErrors: true, strict: false }).compile(valuesSchema);

  it("embeds schemas/config.schema.json for `config` (after a config schema change: node deploy/helm/sync-values-schema.ts)", () => {
    expect(valuesSchema["properties"]["config"]).toEqual(embeddedConfigSchema(configSchema));
  });

  it.each([["values.yaml", join(CHART_DIR, "values.yaml")], ["examples/values-ha.yaml", join(EXAMPLES_DIR, "values-ha.yaml")]])("accepts %s", (_name, file) => {
    expect(validate(parseYaml(readFileSync(file, "utf8"))), JSON.stringify(validate.errors)).toBe(true);
  });

  it("rejects a misspelt value", () => {
    expect(validate({ replicaCount: 1, bundel: { url: "https://b/x" } })).toBe(false);
  });
});

describe("the rendered aegis.yaml", () => {
  it("boots aegis serve when the mounted paths are laid out as the volumes would be; health and decision log work", async () => {
    const manifests = render(["--set", "identity.trustHeaders=true", "--set", "decisionLog.enabled=true", "--set", "decisionLog.path=decisions.log"]);
    const root = join(dir, "pod");
    const text = configText(manifests).replaceAll(" /etc/aegis/", ` ${root}/etc/aegis/`).replaceAll("sqlite:/var/lib/aegis/", `sqlite:${root}/var/lib/aegis/`).replaceAll(" /var/lib/aegis/", ` ${root}/var/lib/aegis/`);
    const config = parseYaml(text) as { bundle: { source: string }; approvals: { token_secret_file: string }; decision_log: { path: string } };
    for (const path of [config.bundle.source, config.approvals.token_secret_file, config.decision_log.path]) mkdirSync(dirname(path), { recursive: true });
    const built = aegis(["build", "policies/examples", "-o", config.bundle.source]);
    expect(built.code, built.stderr).toBe(0);
    writeFileSync(config.approvals.token_secret_file, Buffer.from(one(manifests, "Secret")["data"]["override-token.key"], "base64"));
    const file = join(dir, "pod-aegis.yaml");
    writeFileSync(file, text);

    const server = await startAegisProcess({ args: ["--config", file] });
    let decisionId: string;
    try {
      // What a `grpc:` readiness probe asks (values.yaml shows it with this service name).
      expect(await grpcHealth(server.grpcPort, "envoy.service.auth.v3.Authorization")).toBe("SERVING");
      expect(await grpcHealth(server.grpcPort, "")).toBe("SERVING");
      const client = createAegisClient({ grpcAddress: `127.0.0.1:${server.grpcPort}`, identity: { tenant: "acme", agent: "finance-agent" } });
      try {
        const result = await client.check({ tool: "stripe-payments", action: "create_payment", host: "api.stripe.com", params: { amount: 120 } });
        expect(result).toMatchObject({ outcome: "allow", reason: "within_limit" });
        decisionId = result.decisionId;
      } finally {
        await client.close();
      }
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(readFileSync(config.decision_log.path, "utf8")).toContain(decisionId);
  });
});

function grpcHealth(port: number, service: string): Promise<string> {
  const method = loadProtos().health["Check"]!;
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  return new Promise<string>((resolve, reject) => {
    client.makeUnaryRequest(method.path, method.requestSerialize as (v: HealthCheckRequest) => Buffer, method.responseDeserialize as (b: Buffer) => HealthCheckResponse,
      { service }, new Metadata(), { deadline: Date.now() + 2000 }, (err, response) => {
        client.close();
        if (err !== null || response === undefined) reject(err ?? new Error("no health response"));
        else resolve(response.status);
      });
  });
}
