// No error inside an admin route may end the process: a handler that throws synchronously,
// rejects, rejects with a non-Error, or fails after its headers went out gets that request
// answered (500, or the connection closed) and the server keeps serving. Unhandled, any of these
// would crash this test's worker, so the test fails if the guard goes.
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAdminHttp, type AdminHttpHandle } from "../../src/server/admin-http.ts";
import type { Route } from "../../src/http/route.ts";

const reported: unknown[] = [];
let admin: AdminHttpHandle;

const failing: Route[] = [
  // A handler typed async but written without `async`: its throw is synchronous.
  { method: "GET", path: "/sync-throw", handler: (() => { throw new Error("sync boom"); }) as unknown as Route["handler"] },
  { method: "GET", path: "/reject", handler: async () => Promise.reject(new Error("async boom")) },
  { method: "GET", path: "/reject-string", handler: async () => Promise.reject("not an error") },
  { method: "GET", path: "/reject-null", handler: async () => Promise.reject(null) },
  {
    method: "GET",
    path: "/after-headers",
    handler: async (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("partial");
      throw new Error("failed mid-response");
    },
  },
  {
    method: "GET",
    path: "/double-answer",
    handler: async (_req, res) => {
      res.writeHead(200).end("done");
      // A second writeHead throws ERR_HTTP_HEADERS_SENT.
      res.writeHead(500);
    },
  },
  { method: "GET", path: "/item/:id", handler: async (_req, res, params) => void res.writeHead(200).end(params.id) },
];

beforeAll(async () => {
  admin = await startAdminHttp({
    addr: "127.0.0.1:0",
    bundleStatus: () => ({ revision: "r1" }) as never,
    isDraining: () => false,
    registry: new Registry(),
    routes: failing,
    onError: (err) => reported.push(err),
  });
});

afterAll(async () => {
  await admin?.close();
});

const url = (path: string): string => `http://127.0.0.1:${admin.port}${path}`;
// Bounded, so a request the server never answers fails the test instead of hanging it.
const fetch = (target: string): Promise<Response> => globalThis.fetch(target, { signal: AbortSignal.timeout(10_000) });

describe("admin HTTP handler errors", () => {
  it.each(["/sync-throw", "/reject", "/reject-string", "/reject-null"])("answers %s with a JSON 500 that leaks no cause, and reports it", async (path) => {
    const before = reported.length;
    const res = await fetch(url(path));
    expect(res.status).toBe(500);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.error).toBe("internal");
    expect(JSON.stringify(body)).not.toContain("boom");
    expect(reported.length).toBe(before + 1);
  });

  it("closes a response that failed after its headers went out", async () => {
    const outcome = await fetch(url("/after-headers")).then((res) => res.text()).then(() => "read", () => "closed");
    expect(["read", "closed"]).toContain(outcome);
  });

  it("survives a handler that answers twice", async () => {
    const res = await fetch(url("/double-answer"));
    expect(await res.text()).toBe("done");
  });

  it("answers an undecodable path parameter 400, a decodable one normally", async () => {
    const bad = await fetch(url("/item/%E0%A4%A"));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "bad_request" });
    const good = await fetch(url("/item/a%20b"));
    expect(await good.text()).toBe("a b");
  });

  it("still serves after all of the above", async () => {
    expect((await fetch(url("/healthz"))).status).toBe(200);
    expect((await fetch(url("/nope"))).status).toBe(404);
  });
});
