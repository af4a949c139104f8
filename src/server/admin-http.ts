// Admin HTTP (port 8181): liveness, readiness with the bundle status, Prometheus metrics,
// and whatever extra routes the process wires in (the approvals API).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { AegisError } from "../errors/registry.ts";
import type { Registry } from "prom-client";
import type { BundleStatus } from "./bundle-reloader.ts";
import { parseAddr } from "./config.ts";
import { sendJson } from "../http/body.ts";
import { HttpError } from "../http/http-error.ts";
import type { Route } from "../http/route.ts";

export interface AdminHttpOptions {
  readonly addr: string;
  readonly bundleStatus: () => BundleStatus;
  readonly isDraining: () => boolean;
  /** The state store's own probe (SELECT 1 / PING); reported by /readyz, see stateProbe. */
  readonly stateHealth?: () => Promise<void>;
  readonly registry: Registry;
  readonly routes: readonly Route[];
  /** Errors that are not an HttpError (bugs, state failures): answered 500 and reported here. */
  readonly onError?: (err: unknown) => void;
}

export interface AdminHttpHandle {
  readonly port: number;
  close(): Promise<void>;
}

/** Raw (still percent-encoded) `:name` segments of `path`, or null when the route does not match. */
function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w.startsWith(":")) params[w.slice(1)] = g;
    else if (w !== g) return null;
  }
  return params;
}

function decodeParams(raw: Readonly<Record<string, string>>): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    try {
      params[name] = decodeURIComponent(value);
    } catch {
      throw new HttpError(400, "bad_request", `path segment "${name}" is not valid percent-encoded UTF-8`);
    }
  }
  return params;
}

/**
 * The path of a request target: origin-form ("/a?b") or absolute-form ("http://h/a"). Anything
 * else (asterisk-form, authority-form, a malformed URL) is not a target this server routes.
 */
function targetPath(target: string | undefined): string {
  let url: URL;
  try {
    // Prefixed rather than resolved against a base, so "//x" stays the path "//x", not host "x".
    url = target?.startsWith("/") === true ? new URL(`http://admin${target}`) : new URL(target ?? "");
  } catch {
    throw new HttpError(400, "bad_request", "the request target is not a valid URL path");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new HttpError(400, "bad_request", "the request target is not an http(s) URL or a path");
  return url.pathname;
}

/** Writes a whole JSON response straight to the socket and closes it (no ServerResponse exists). */
function answerRaw(socket: Duplex, status: "400 Bad Request" | "431 Request Header Fields Too Large", error: string, message: string): void {
  const body = JSON.stringify({ error, message });
  socket.end(`HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  socket.destroy();
}

/**
 * Node's HTTP parser rejected the bytes (bad request line, header, chunk framing): answer with
 * a JSON 400 (431 for oversized headers) and close, unless a response is already on the wire.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  // The server tracks the response in progress on a socket as _httpMessage; writing a raw
  // status line into the middle of it would corrupt it, so only close then.
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (err.code === "ECONNRESET" || !socket.writable || (inFlight !== null && inFlight !== undefined && inFlight.headersSent)) {
    socket.destroy();
  } else if (err.code === "HPE_HEADER_OVERFLOW") {
    answerRaw(socket, "431 Request Header Fields Too Large", "headers_too_large", "the request headers are too large");
  } else {
    answerRaw(socket, "400 Bad Request", "bad_request", "the request could not be parsed as HTTP/1.1");
  }
}

// Well inside the kubelet's default 1 s probe timeout (deploy/helm sets none): a /readyz that
// waited longer for a hanging store would take every replica out of service, which the probe
// must not do (see stateProber).
const STATE_PROBE_TIMEOUT_MS = 400;

/**
 * The store's health for /readyz's body. It does not decide readiness: every replica shares the
 * store, so taking them all out of service when it fails would turn a state outage (checks fail
 * closed anyway) into no service at all; alert on `state.ok` instead. One probe at a time: while
 * the store has not answered the last one, /readyz waits on it rather than sending another, so a
 * hanging store does not collect a pending probe (a pool connection) per /readyz.
 */
function stateProber(health: () => Promise<void>): () => Promise<{ ok: boolean; error?: string }> {
  let pending: Promise<void> | null = null;
  return async () => {
    pending ??= Promise.resolve().then(health).finally(() => { pending = null; });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${STATE_PROBE_TIMEOUT_MS} ms`)), STATE_PROBE_TIMEOUT_MS);
    });
    try {
      await Promise.race([pending, timeout]);
      return { ok: true };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    } finally {
      clearTimeout(timer);
    }
  };
}

export async function startAdminHttp(opts: AdminHttpOptions): Promise<AdminHttpHandle> {
  const stateProbe = opts.stateHealth === undefined ? undefined : stateProber(opts.stateHealth);
  const builtins: Route[] = [
    { method: "GET", path: "/healthz", handler: async (_q, res) => sendJson(res, 200, { status: "ok" }) },
    {
      method: "GET",
      path: "/readyz",
      handler: async (_q, res) => {
        const bundle = opts.bundleStatus();
        const ready = bundle.revision !== null && !opts.isDraining();
        const state = stateProbe === undefined ? undefined : await stateProbe();
        sendJson(res, ready ? 200 : 503, { ready, draining: opts.isDraining(), bundle, ...(state === undefined ? {} : { state }) });
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
  const onError = (err: unknown): void => {
    try {
      opts.onError?.(err);
    } catch {
      // A failing reporter must not turn a handled error into an uncaught one.
    }
  };

  // Nothing a request does may escape this function: an exception here would be uncaught and
  // end the process, taking the gRPC decision service down with the admin port.
  const answerError = (res: ServerResponse, err: unknown): void => {
    try {
      if (res.headersSent || res.destroyed) {
        res.destroy();
      } else if (err instanceof HttpError) {
        sendJson(res, err.status, { error: err.code, message: err.message });
      } else {
        // The cause goes to the log, not to an unauthenticated caller.
        sendJson(res, 500, { error: "internal", message: "internal error; see the server log" });
        onError(err);
      }
    } catch {
      res.destroy();
    }
  };

  const dispatch = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = targetPath(req.url);
    let raw: Record<string, string> | null = null;
    const route = routes.find((r) => r.method === req.method && (raw = match(r.path, path)) !== null);
    if (route === undefined || raw === null) throw new HttpError(404, "not_found", "no such route");
    await route.handler(req, res, decodeParams(raw));
  };

  const server: Server = createServer((req, res) => {
    // dispatch is async, so a handler's synchronous throw, too, arrives here as a rejection.
    dispatch(req, res).catch((err: unknown) => answerError(res, err));
  });
  server.on("clientError", answerClientError);
  // CONNECT (authority-form) is no request this server routes; unanswered, Node drops the socket.
  server.on("connect", (_req: IncomingMessage, socket: Duplex) => answerRaw(socket, "400 Bad Request", "bad_request", "CONNECT is not served here"));
  server.keepAliveTimeout = 5_000;

  const { host, port } = parseAddr(opts.addr);
  const bound = await new Promise<number>((resolve, reject) => {
    server.once("error", (err) => reject(new AegisError("AEGIS_ERR_LISTEN", `admin HTTP cannot listen on ${opts.addr}: ${err.message}`, { cause: err })));
    server.listen(port, host, () => {
      // Later server errors are reported, never thrown: an unhandled 'error' event ends the process.
      server.on("error", onError);
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
