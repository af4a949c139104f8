// The ext_authz servers the gRPC and Envoy harnesses compare, as child-process specs: the grpc-js
// no-op (transport floor), `aegis serve`, and the OPA-Envoy peer: `opa-envoy` is the real plugin
// when setup built it and the stand-in (bench/opa-envoy) otherwise; `opa-envoy-stand-in` is always
// the stand-in, so both can be measured in one run.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BundleContents } from "../../src/bundle/read.ts";
import { freePort } from "./free-port.ts";
import { writeRegoAndData } from "../../src/bench/rego-stage.ts";
import { REPO_ROOT } from "./repo-paths.ts";
import { opaEnvoyPluginBuilt, opaEnvoyPluginLabel, opaEnvoyPluginSpec, opaEnvoyStandInSpec, STAND_IN_LABEL } from "./opa-envoy-peer.ts";
import { type RunningServer, type ServerSpec, startServer } from "./server-process.ts";

export const SERVER_NAMES = ["noop", "aegis", "opa-envoy", "opa-envoy-stand-in"] as const;
export type ServerName = (typeof SERVER_NAMES)[number];
/** What a harness runs unless told otherwise: the floor, Aegis and the best peer available. */
export const DEFAULT_SERVERS: readonly ServerName[] = ["noop", "aegis", "opa-envoy"];

export interface ServerSetup {
  readonly bundlePath: string;
  readonly bundle: BundleContents;
  /** The Rego library the bundle was built from, for the OPA side. */
  readonly regoDir: string;
  /** Aegis engine worker threads (AEGIS_ENGINE_WORKERS); undefined keeps Aegis's default. */
  readonly aegisWorkers?: number;
  /** NODE_OPTIONS for aegis serve (e.g. V8 heap flags), for experiments. */
  readonly aegisNodeOptions?: string;
  readonly cpus?: string;
}

export interface CheckServer extends RunningServer {
  /** host:port of the gRPC Check service. */
  readonly target: string;
  readonly grpcPort: number;
  /** Which implementation answered: "aegis", "noop", "opa-envoy-plugin <version> (<commit>)" or "stand-in". */
  readonly peer: string;
}

export interface ServerFixture {
  start(name: ServerName): Promise<CheckServer>;
  remove(): Promise<void>;
}

/** Stages what the servers need once (OPA policy directory, Aegis state directories). */
export async function createServerFixture(setup: ServerSetup): Promise<ServerFixture> {
  const root = await mkdtemp(join(tmpdir(), "aegis-bench-servers-"));
  const opaPolicy = join(root, "opa-policy");
  await writeRegoAndData({ dataJson: setup.bundle.dataJson, regoDir: setup.regoDir }, opaPolicy);
  await writeFile(join(opaPolicy, "envoy_authz.rego"), await readFile(join(REPO_ROOT, "bench", "opa-envoy", "policy", "envoy_authz.rego")));
  // data.bench.revision: the Aegis bundle revision, which the OPA side reports as policy_version.
  await mkdir(join(opaPolicy, "bench"), { recursive: true });
  await writeFile(join(opaPolicy, "bench", "data.json"), JSON.stringify({ revision: setup.bundle.manifest.revision }));
  let aegisRuns = 0;
  const plugin = opaEnvoyPluginBuilt() ? opaEnvoyPluginLabel() : null;

  return {
    async start(name) {
      const grpcPort = await freePort();
      const target = `127.0.0.1:${grpcPort}`;
      let spec: ServerSpec;
      let peer: string = name;
      switch (name) {
        case "noop":
          spec = { name, command: process.execPath, args: ["--disable-warning=ExperimentalWarning", join(REPO_ROOT, "bench", "grpc", "noop-server.ts"), target], ready: { kind: "stdout", pattern: /^listening /m } };
          break;
        case "aegis": {
          const httpPort = await freePort();
          const cwd = join(root, `aegis-${aegisRuns++}`);
          await mkdir(cwd, { recursive: true });
          spec = {
            name,
            command: join(REPO_ROOT, "bin", "aegis"),
            args: ["serve", "--bundle", setup.bundlePath, "--grpc-addr", target, "--http-addr", `127.0.0.1:${httpPort}`],
            env: {
              AEGIS_TRUST_IDENTITY_HEADERS: "true",
              ...(setup.aegisWorkers === undefined ? {} : { AEGIS_ENGINE_WORKERS: String(setup.aegisWorkers) }),
              ...(setup.aegisNodeOptions === undefined ? {} : { NODE_OPTIONS: setup.aegisNodeOptions }),
            },
            cwd,
            ready: { kind: "http", url: `http://127.0.0.1:${httpPort}/readyz` },
          };
          break;
        }
        case "opa-envoy":
        case "opa-envoy-stand-in": {
          const at = { policyDir: opaPolicy, grpcTarget: target, httpPort: await freePort() };
          const real = name === "opa-envoy" && plugin !== null;
          spec = real ? opaEnvoyPluginSpec(name, at) : opaEnvoyStandInSpec(name, at);
          peer = real ? plugin : STAND_IN_LABEL;
          break;
        }
      }
      const running = await startServer({ ...spec, ...(setup.cpus === undefined ? {} : { cpus: setup.cpus }) });
      return { ...running, target, grpcPort, peer };
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
