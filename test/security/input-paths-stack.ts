// The stack the input-path attack tests run against: the example policies built into a bundle,
// a real `aegis serve` (identity headers trusted, as in the sidecar example), a recording
// upstream, the real Envoy with the shipped deploy/envoy/envoy.yaml, and a gRPC client for
// CheckRequests Envoy itself would not send (a partial body, a path it would have normalized).
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkRequest, type CheckRequestParts } from "../support/check-request-builder.ts";
import { startAegisProcess, type RunningAegisProcess } from "../support/aegis-server.ts";
import { aegis } from "../support/cli.ts";
import { startEnvoy, type RunningEnvoy } from "../support/envoy.ts";
import { connectCheckClient, type CheckAnswer, type CheckClient } from "../support/grpc-check-client.ts";
import { REPO_ROOT } from "../support/opa.ts";
import { startUpstream, type RunningUpstream } from "../support/upstream.ts";

export const FINANCE = { "x-aegis-tenant": "acme", "x-aegis-agent": "finance-agent" } as const;
export const DOCS = { "x-aegis-tenant": "acme", "x-aegis-agent": "docs-agent" } as const;
export const PLANNER = { "x-aegis-tenant": "acme", "x-aegis-agent": "planner" } as const;

export interface InputPathsStack {
  readonly envoy: RunningEnvoy;
  readonly upstream: RunningUpstream;
  readonly server: RunningAegisProcess;
  /** A CheckRequest straight to Aegis over gRPC. */
  check(parts: CheckRequestParts): Promise<CheckAnswer>;
  stop(): Promise<void>;
}

export async function startInputPathsStack(): Promise<InputPathsStack> {
  const work = mkdtempSync(join(tmpdir(), "aegis-input-paths-"));
  let server: RunningAegisProcess | undefined;
  let upstream: RunningUpstream | undefined;
  let envoy: RunningEnvoy | undefined;
  let client: CheckClient | undefined;
  const stop = async (): Promise<void> => {
    try {
      client?.close();
      await envoy?.stop();
      await server?.stop();
      await upstream?.close();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  };
  try {
    const policies = join(work, "policies");
    cpSync(join(REPO_ROOT, "policies", "examples"), policies, { recursive: true });
    const bundle = join(work, "bundle.tar.gz");
    const built = aegis(["build", policies, "-o", bundle]);
    if (built.code !== 0) throw new Error(`aegis build failed: ${built.stderr}`);
    upstream = await startUpstream();
    server = await startAegisProcess({ args: ["--bundle", bundle, "--state", `sqlite:${join(work, "state.db")}`, "--trust-identity-headers"] });
    envoy = await startEnvoy({ aegisPort: server.grpcPort, upstreamPort: upstream.port });
    client = connectCheckClient(server.grpcPort);
    const connected = client;
    return { envoy, upstream, server, check: (parts) => connected.check(checkRequest(parts)), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * One HTTP/1.1 request written byte for byte (the path exactly as given, as `curl --path-as-is`
 * sends it), on its own connection; resolves the status code and body of the answer.
 */
export function rawRequest(port: number, lines: { method: string; path: string; host: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  const body = lines.body ?? "";
  const head = [
    `${lines.method} ${lines.path} HTTP/1.1`,
    `host: ${lines.host}`,
    ...Object.entries(lines.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    `content-length: ${Buffer.byteLength(body)}`,
    "connection: close",
  ].join("\r\n");
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer to ${lines.method} ${lines.path}`)));
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (status === null) return reject(new Error(`not an HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
      resolve({ status: Number(status[1]), body: text.slice(text.indexOf("\r\n\r\n") + 4) });
    });
    // Written, not ended: Envoy drops a connection the client half-closes; "connection: close"
    // makes it close after the answer.
    socket.write(`${head}\r\n\r\n${body}`);
  });
}
