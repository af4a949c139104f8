// Plain node:http client for tests: unlike fetch, it lets a test set the Host header, which is
// how an agent's call names its tool host when it goes through the Envoy sidecar.
import { Agent, request } from "node:http";

export interface HttpResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export const keepAlive = new Agent({ keepAlive: true, maxSockets: 32 });

export function httpRequest(opts: { port: number; host?: string; method?: string; path: string; headers?: Record<string, string>; body?: string; agent?: Agent }): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: opts.port,
        method: opts.method ?? "GET",
        path: opts.path,
        agent: opts.agent ?? keepAlive,
        headers: { ...(opts.host === undefined ? {} : { host: opts.host }), ...(opts.body === undefined ? {} : { "content-length": String(Buffer.byteLength(opts.body)) }), ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`request to ${opts.path} timed out`)));
    req.end(opts.body);
  });
}
