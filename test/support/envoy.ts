// Runs the real Envoy (1.40, provisioned by scripts/setup.sh) with the shipped sidecar
// config deploy/envoy/envoy.yaml, re-pointed at the test's ports and nothing else changed.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { REPO_ROOT } from "./opa.ts";
import { freePort, StopWaiting, waitFor } from "./ports.ts";

export interface RunningEnvoy {
  readonly port: number;
  readonly adminPort: number;
  readonly url: string;
  readonly logs: () => string;
  stop(): Promise<void>;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function envoyBinary(): string {
  const path = join(REPO_ROOT, ".tools", "bin", "envoy");
  if (!existsSync(path)) throw new Error(`envoy not found at ${path}: run scripts/setup.sh`);
  return path;
}

let announced = false;

export async function startEnvoy(opts: { aegisPort: number; upstreamPort: number; /** Another shipped config under deploy/envoy/. */ configFile?: string }): Promise<RunningEnvoy> {
  if (!announced) {
    // No Docker engine runs on this project's machines, so Envoy runs as the local binary.
    process.stderr.write(`[envoy] ${process.env.DOCKER_HOST ? "DOCKER_HOST set but" : "no Docker engine reachable;"} using the local envoy binary\n`);
    announced = true;
  }
  const [port, adminPort] = [await freePort(), await freePort()];
  const config = parse(readFileSync(join(REPO_ROOT, "deploy", "envoy", opts.configFile ?? "envoy.yaml"), "utf8")) as Json;
  config.admin.address.socket_address.port_value = adminPort;
  config.static_resources.listeners[0].address.socket_address = { address: "127.0.0.1", port_value: port };
  for (const cluster of config.static_resources.clusters as Json[]) {
    const endpoint = cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address;
    endpoint.port_value = cluster.name === "aegis" ? opts.aegisPort : opts.upstreamPort;
  }
  const dir = mkdtempSync(join(tmpdir(), "aegis-envoy-"));
  const configPath = join(dir, "envoy.yaml");
  writeFileSync(configPath, stringify(config));

  let output = "";
  const child: ChildProcess = spawn(envoyBinary(), ["-c", configPath, "--use-dynamic-base-id", "--log-level", "warn", "--concurrency", "1"], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  try {
    await waitFor(async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new StopWaiting(`envoy exited: ${output}`);
      const res = await fetch(`http://127.0.0.1:${adminPort}/ready`);
      return res.status === 200;
    }, "envoy to become ready");
  } catch (err) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
    throw err;
  }

  return {
    port,
    adminPort,
    url: `http://127.0.0.1:${port}`,
    logs: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}
