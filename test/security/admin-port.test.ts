// The admin port (8181) is reachable without a token. A request it cannot parse used to throw out
// of the request listener (URIError from a malformed percent-escape, TypeError from an invalid
// absolute-form target) and end the whole process, gRPC included. These tests send such requests
// as raw bytes to a real `aegis serve` and then ask the gRPC port for a decision.
import { connect } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningAegisProcess } from "../support/aegis-server.ts";
import { connectCheckClient, type CheckClient } from "../support/grpc-check-client.ts";
import { buildBundle, payment, serve, workDir, writeConfig } from "../runtime/runtime-harness.ts";

let server: RunningAegisProcess;
let client: CheckClient;

beforeAll(async () => {
  const work = workDir("admin-port");
  server = await serve({ bundle: buildBundle(work), state: `sqlite:${work}/state.db`, config: writeConfig(work, "aegis") });
  client = connectCheckClient(server.grpcPort);
});

afterAll(async () => {
  try {
    client?.close();
  } finally {
    await server?.stop();
  }
});

/** Writes `bytes` to the admin port and collects whatever comes back until close (or `waitMs`). */
function rawRequest(bytes: string | Buffer, waitMs = 3_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(server.httpPort, "127.0.0.1");
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString("latin1"));
    };
    const timer = setTimeout(done, waitMs);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", done);
    socket.on("close", done);
    socket.on("connect", () => socket.write(bytes, () => undefined));
  });
}

function statusOf(response: string): number {
  return Number(/^HTTP\/1\.1 (\d{3}) /.exec(response)?.[1] ?? 0);
}

function bodyOf(response: string): unknown {
  return JSON.parse(response.slice(response.indexOf("\r\n\r\n") + 4));
}

async function expectServing(): Promise<void> {
  expect(server.child.exitCode, server.logs()).toBeNull();
  const answer = await client.check(payment(100));
  expect(["ok", "denied"]).toContain(answer.kind);
  expect((await fetch(`${server.adminUrl}/healthz`)).status).toBe(200);
}

describe("admin port: requests it cannot parse", () => {
  it.each([
    ["GET with a malformed percent-escape in the approval id", "GET /v1/approvals/%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
    ["POST approve with a truncated UTF-8 escape", "POST /v1/approvals/%E0%A4%A/approve HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"],
    ["POST deny with a lone surrogate escape", "POST /v1/approvals/%ED%A0%80/deny HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"],
    ["an invalid absolute-form target", "GET http://[zz/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
    ["an absolute-form target of another scheme", "GET ftp://admin/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
    ["an asterisk-form target", "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
    ["an authority-form target", "CONNECT admin:8181 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
    ["a request line that is not HTTP", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 garbage\r\n\r\n"],
    ["a header without a colon", "GET /healthz HTTP/1.1\r\nHost: x\r\nthis is no header\r\n\r\n"],
    ["broken chunked framing", "POST /v1/revocations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nZZ\r\nxx\r\n0\r\n\r\n"],
  ])("answers 400 with a JSON body to %s, and keeps serving gRPC", async (_name, request) => {
    const response = await rawRequest(request);
    expect(statusOf(response), response).toBe(400);
    expect(response.toLowerCase()).toContain("content-type: application/json");
    expect(bodyOf(response)).toMatchObject({ error: "bad_request" });
    await expectServing();
  });

  it("routes a valid absolute-form target like its path", async () => {
    const response = await rawRequest("GET http://admin.example/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(statusOf(response), response).toBe(200);
  });

  it("survives a fast-check barrage of random methods, targets, headers and bodies", async () => {
    const escape = fc.oneof(
      fc.constantFrom("%", "%Z", "%ZZ", "%E0%A4%A", "%ED%A0%80", "%C0%AF", "%FF", "%00", "%2F", "%25"),
      fc.stringMatching(/^%[0-9A-Fa-f]{2}$/),
    );
    const segment = fc.oneof(fc.string({ maxLength: 12 }), escape, fc.constantFrom("approve", "deny", "..", ".", ""));
    const path = fc.array(segment, { maxLength: 6 }).map((parts) => `/${parts.join("/")}`);
    const routed = fc.oneof(
      fc.constantFrom("/v1/approvals", "/v1/approvals/", "/v1/revocations", "/healthz", "/readyz", "/metrics", "/v1/slack/interactions"),
      fc.tuple(escape, fc.constantFrom("", "/approve", "/deny")).map(([id, tail]) => `/v1/approvals/${id}${tail}`),
    );
    const target = fc.oneof(
      { arbitrary: routed, weight: 4 },
      path,
      fc.tuple(fc.constantFrom("http://", "https://", "HTTP://", "ftp://", "http://[", "http://[zz", "http://user@", "//"), fc.string({ maxLength: 20 }), path)
        .map(([scheme, host, p]) => `${scheme}${host}${p}`),
      fc.constantFrom("*", "", "?", "#", "/?%ZZ=%ZZ", "/v1/approvals?status=%ZZ&tenant=%", "admin:8181"),
      fc.nat({ max: 20_000 }).map((n) => `/${"a".repeat(n)}`),
      fc.string({ unit: "binary", maxLength: 40 }),
    );
    // Mostly well-formed requests, so most reach the router and the handlers (where the process
    // used to die); some are broken at the HTTP layer, for the parser's error path.
    const method = fc.oneof(
      { arbitrary: fc.constantFrom("GET", "POST"), weight: 6 },
      { arbitrary: fc.constantFrom("PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "CONNECT", "get", "PRI", "BREW"), weight: 2 },
      { arbitrary: fc.string({ maxLength: 10 }), weight: 1 },
    );
    const header = fc.tuple(
      fc.oneof(
        { arbitrary: fc.constantFrom("Authorization", "Content-Type", "Content-Length", "Transfer-Encoding", "Expect", "Host", "X-Aegis-Tenant", "X-Aegis-Agent"), weight: 3 },
        { arbitrary: fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,11}$/), weight: 2 },
        { arbitrary: fc.string({ maxLength: 12 }), weight: 1 },
      ),
      fc.oneof(
        { arbitrary: fc.constantFrom("Bearer x", "Bearer %ZZ", "application/json", "chunked", "100-continue", "-1", "0", "999999999999"), weight: 3 },
        { arbitrary: fc.stringMatching(/^[\x20-\x7e]{0,30}$/), weight: 2 },
        { arbitrary: fc.string({ maxLength: 30 }), weight: 1 },
      ),
    );
    const request = fc.record({
      method,
      target,
      version: fc.oneof({ arbitrary: fc.constant("HTTP/1.1"), weight: 8 }, { arbitrary: fc.constantFrom("HTTP/1.0", "HTTP/2.0", "HTTP/1.1 extra", ""), weight: 1 }),
      headers: fc.array(header, { maxLength: 5 }),
      body: fc.oneof(fc.constant(""), fc.json({ maxDepth: 3 }), fc.string({ unit: "binary", maxLength: 200 })),
    });

    let sent = 0;
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const head = [`${r.method} ${r.target} ${r.version}`, ...r.headers.map(([name, value]) => `${name}: ${value}`), "Connection: close"];
        await rawRequest(Buffer.from(`${head.join("\r\n")}\r\n\r\n${r.body}`, "utf8"), 1_000);
        sent += 1;
        // Probed after every request, so the one that kills the process is the counterexample.
        const probe = await rawRequest("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        expect(statusOf(probe), `after ${JSON.stringify(r)}:\n${server.logs().slice(-2_000)}`).toBe(200);
      }),
      { numRuns: 150, interruptAfterTimeLimit: 25_000, markInterruptAsFailure: false },
    );
    expect(sent).toBeGreaterThan(20);
    await expectServing();
  }, 60_000);
});
