// How the agent's requests reach the sidecar: like an HTTP proxy client, each request goes to
// the sidecar's port with the MCP server's own Host (deploy/envoy/mcp.yaml routes by Host). Node's
// fetch cannot set Host, and its built-in proxy support tunnels with CONNECT, which would hide
// the requests from ext_authz; so the tests hand the SDK transport this fetch (its `fetch`
// option), built on node:http. Responses stream, so SSE works as with the real fetch.
import { request } from "node:http";
import { Readable } from "node:stream";

export function sidecarFetch(sidecarPort: number, extraHeaders: Record<string, string> = {}): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(input instanceof Request ? input.headers : undefined);
    for (const [k, v] of new Headers(init?.headers)) headers.set(k, v);
    for (const [k, v] of Object.entries(extraHeaders)) headers.set(k, v);
    const body = init?.body === undefined || init.body === null ? undefined : Buffer.from(await new Response(init.body).arrayBuffer());
    return new Promise<Response>((resolve, reject) => {
      const req = request({
        host: "127.0.0.1",
        port: sidecarPort,
        method: init?.method ?? "GET",
        path: `${url.pathname}${url.search}`,
        headers: { ...Object.fromEntries(headers), host: url.host, ...(body === undefined ? {} : { "content-length": String(body.length) }) },
      });
      init?.signal?.addEventListener("abort", () => req.destroy(new DOMException("aborted", "AbortError")), { once: true });
      req.on("error", reject);
      req.on("response", (res) => {
        const responseHeaders = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) responseHeaders.set(k, Array.isArray(v) ? v.join(", ") : v);
        const status = res.statusCode ?? 502;
        const noBody = status === 204 || status === 304 || init?.method === "HEAD";
        resolve(new Response(noBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, headers: responseHeaders }));
      });
      req.end(body);
    });
  };
}
