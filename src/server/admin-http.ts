// Admin HTTP (port 8181): liveness, readiness with the bundle status, Prometheus metrics,
// and whatever extra routes the process wires in (the approvals API).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { AegisError } from "../errors/registry.ts";
import type { Registry } from "prom-client";
import type { BundleStatus } from "./bundle-reloader.ts";
import { parseAddr } from "./config.ts";

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, params: Readonly<Record<string, string>>) => Promise<void>;

export interface Route {
  readonly method: string;
  /** Path with `:name` segments. */
  readonly path: string;
  readonly handler: RouteHandler;
}

export interface AdminHttpOptions {
  readonly addr: string;
  readonly bundleStatus: () => BundleStatus;
  readonly isDraining: () => boolean;
  readonly registry: Registry;
  readonly routes: readonly Route[];
}

export interface AdminHttpHandle {
  readonly port: number;
  close(): Promise<void>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export async function readJsonBody(req: IncomingMessage, maxBytes = 64 * 1024): Promise<unknown> {
  const raw = await readBody(req, maxBytes);
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    throw new HttpError(400, "invalid_json", "request body is not valid JSON");
  }
}

export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new HttpError(413, "body_too_large", `request body exceeds ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w.startsWith(":")) params[w.slice(1)] = decodeURIComponent(g);
    else if (w !== g) return null;
  }
  return params;
}

export async function startAdminHttp(opts: AdminHttpOptions): Promise<AdminHttpHandle> {
  const builtins: Route[] = [
    { method: "GET", path: "/healthz", handler: async (_q, res) => sendJson(res, 200, { status: "ok" }) },
    {
      method: "GET",
      path: "/readyz",
      handler: async (_q, res) => {
        const bundle = opts.bundleStatus();
        const ready = bundle.revision !== null && !opts.isDraining();
        sendJson(res, ready ? 200 : 503, { ready, draining: opts.isDraining(), bundle });
      },
    },
    {
      method: "GET",
      path: "/metrics",
      handler: async (_q, res) => {
        const text = await opts.registry.metrics();
        res.writeHead(200, { "content-type": opts.registry.contentType });
        res.end(text);
      },
    },
  ];
  const routes = [...builtins, ...opts.routes];

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://admin");
    let params: Record<string, string> | null = null;
    const route = routes.find((r) => r.method === req.method && (params = match(r.path, url.pathname)) !== null);
    if (route === undefined || params === null) {
      sendJson(res, 404, { error: "not_found" });
      return;
    }
    route.handler(req, res, params).catch((err: unknown) => {
      if (res.headersSent) return res.destroy();
      if (err instanceof HttpError) sendJson(res, err.status, { error: err.code, message: err.message });
      else sendJson(res, 500, { error: "internal", message: err instanceof Error ? err.message : String(err) });
    });
  });
  server.keepAliveTimeout = 5_000;

  const { host, port } = parseAddr(opts.addr);
  const bound = await new Promise<number>((resolve, reject) => {
    server.once("error", (err) => reject(new AegisError("AEGIS_ERR_LISTEN", `admin HTTP cannot listen on ${opts.addr}: ${err.message}`, { cause: err })));
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    });
  });
  return {
    port: bound,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
