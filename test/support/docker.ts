import { request } from "node:http";

export type DockerEngine =
  | { readonly reachable: true; readonly endpoint: string }
  | { readonly reachable: false; readonly endpoint: string; readonly reason: string };

const DEFAULT_SOCKET = "/var/run/docker.sock";

/**
 * Asks the engine named by DOCKER_HOST (unix:// or tcp://), else the default socket, for
 * `GET /_ping`. Reachable only when it answers 200 within the timeout.
 */
export async function detectDockerEngine(timeoutMs = 1_000): Promise<DockerEngine> {
  const dockerHost = process.env["DOCKER_HOST"];
  const endpoint = dockerHost === undefined || dockerHost === "" ? `unix://${DEFAULT_SOCKET}` : dockerHost;
  const target = pingTarget(endpoint);
  if (typeof target === "string") return { reachable: false, endpoint, reason: target };
  return new Promise((resolve) => {
    const req = request({ ...target, path: "/_ping", method: "GET", timeout: timeoutMs }, (res) => {
      res.resume();
      if (res.statusCode === 200) resolve({ reachable: true, endpoint });
      else resolve({ reachable: false, endpoint, reason: `GET /_ping answered ${String(res.statusCode)}` });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (error) => resolve({ reachable: false, endpoint, reason: error.message }));
    req.end();
  });
}

function pingTarget(endpoint: string): { socketPath: string } | { host: string; port: number } | string {
  if (endpoint.startsWith("unix://")) return { socketPath: endpoint.slice("unix://".length) };
  if (endpoint.startsWith("tcp://")) {
    const url = new URL(endpoint.replace(/^tcp:/, "http:"));
    return { host: url.hostname, port: Number(url.port || 2375) };
  }
  return `unsupported DOCKER_HOST scheme in ${endpoint}`;
}
