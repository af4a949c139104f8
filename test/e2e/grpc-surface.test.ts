// The gRPC surface Envoy and operators see, on a real `aegis serve` process: health, reflection
// (what grpcurl uses), malformed requests, message size limits, and clear startup failures.
import { writeFileSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentials, loadPackageDefinition, Metadata, type Client, type ServiceError } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProtos } from "../../src/grpc/load-protos.ts";
import { checkRequest } from "../support/check-request-builder.ts";
import { startAegisProcess, type RunningAegisProcess } from "../support/aegis-server.ts";
import { aegis } from "../support/cli.ts";
import { REPO_ROOT } from "../support/opa.ts";
import { freePort } from "../support/ports.ts";
import { makeGenericClientConstructor } from "@grpc/grpc-js";

let work: string;
let bundle: string;
let server: RunningAegisProcess;

type Unary = (req: unknown, md: Metadata, cb: (err: ServiceError | null, res: unknown) => void) => void;

function authzClient(port: number): Client & { Check: Unary } {
  const Ctor = makeGenericClientConstructor(loadProtos().authorization, "Authorization");
  return new Ctor(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as Client & { Check: Unary };
}

function call<T>(client: { Check: Unary }, req: unknown): Promise<T> {
  return new Promise((resolve, reject) => client.Check(req, new Metadata(), (err, res) => (err ? reject(err) : resolve(res as T))));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "aegis-grpc-"));
  bundle = join(work, "bundle.tar.gz");
  expect(aegis(["build", "policies/examples", "-o", bundle]).code).toBe(0);
  server = await startAegisProcess({ args: ["--bundle", bundle, "--state", `sqlite:${join(work, "s.db")}`, "--trust-identity-headers"] });
});

afterAll(async () => {
  await server?.stop();
});

describe("gRPC surface", () => {
  it("reports SERVING on grpc.health.v1 for the server and the Authorization service", async () => {
    const Health = makeGenericClientConstructor(loadProtos().health, "Health");
    const client = new Health(`127.0.0.1:${server.grpcPort}`, credentials.createInsecure()) as unknown as { Check: Unary; close(): void };
    for (const service of ["", "envoy.service.auth.v3.Authorization"]) {
      const res = await call<{ status: string }>(client, { service });
      expect(res.status).toBe("SERVING");
    }
    client.close();
  });

  it("lists its services through server reflection, as grpcurl does", async () => {
    const def = loadSync(join(REPO_ROOT, "node_modules/@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto"), { keepCase: true });
    const pkg = loadPackageDefinition(def) as unknown as { grpc: { reflection: { v1: { ServerReflection: new (addr: string, creds: unknown) => { ServerReflectionInfo(): NodeJS.ReadWriteStream & { write(m: unknown): void; end(): void }; close(): void } } } } };
    const client = new pkg.grpc.reflection.v1.ServerReflection(`127.0.0.1:${server.grpcPort}`, credentials.createInsecure());
    const stream = client.ServerReflectionInfo();
    const answer = new Promise<{ list_services_response: { service: { name: string }[] } }>((resolve, reject) => {
      stream.on("data", resolve);
      stream.on("error", reject);
    });
    stream.write({ list_services: "*" });
    const names = (await answer).list_services_response.service.map((s) => s.name);
    stream.end();
    client.close();
    expect(names).toContain("envoy.service.auth.v3.Authorization");
    expect(names).toContain("grpc.health.v1.Health");
  });

  it("answers a CheckRequest with an unparseable body with a 400 denied_response, and keeps serving", async () => {
    const client = authzClient(server.grpcPort);
    const res = await call<{ status: { code: number }; denied_response: { status: { code: string }; body: string } }>(client, checkRequest({
      method: "POST", host: "api.stripe.com", path: "/v1/payment_intents", body: "{\"amount\": ",
      headers: { "content-type": "application/json", "x-aegis-tenant": "acme", "x-aegis-agent": "finance-agent" },
      contextExtensions: { tool: "stripe-payments", action: "create_payment" },
    }));
    expect(res.status.code).toBe(3);
    expect(res.denied_response.status.code).toBe("BadRequest");
    expect(JSON.parse(res.denied_response.body)).toMatchObject({ error: "invalid_request" });
    const empty = await call<{ denied_response: { status: { code: string }; body: string } }>(client, {});
    expect(empty.denied_response.status.code).toBe("BadRequest");
    expect(JSON.parse(empty.denied_response.body)).toMatchObject({ error: "invalid_request" });
    client.close();
  });

  it("refuses a message over the configured size with RESOURCE_EXHAUSTED", async () => {
    const client = authzClient(server.grpcPort);
    const err = await call(client, checkRequest({ method: "POST", body: "x".repeat(5 * 1024 * 1024) })).catch((e: ServiceError) => e);
    expect((err as ServiceError).code).toBe(8);
    client.close();
  });
});

describe("shutdown", () => {
  it("does not wait out the grace period for an open health Watch stream once no check is in flight", async () => {
    const own = await startAegisProcess({ args: ["--bundle", bundle, "--state", `sqlite:${join(work, "w.db")}`], env: {} });
    const Health = makeGenericClientConstructor(loadProtos().health, "Health");
    const client = new Health(`127.0.0.1:${own.grpcPort}`, credentials.createInsecure()) as unknown as { Watch(req: unknown): NodeJS.ReadableStream & { cancel(): void }; close(): void };
    const statuses: string[] = [];
    const stream = client.Watch({ service: "" });
    stream.on("data", (m: { status: string }) => statuses.push(m.status));
    stream.on("error", () => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    const code = await own.stop();
    const tookMs = Date.now() - started;
    // (without the in-flight drain rule this took the whole 10 s grace period)
    client.close();
    expect(code).toBe(0);
    expect(statuses).toContain("SERVING");
    expect(statuses).toContain("NOT_SERVING");
    expect(tookMs).toBeLessThan(5000); // the default grace is 10 s
  });
});

describe("startup failures are clear and carry documented exit codes", () => {
  it("exits 5 when the bundle is missing", () => {
    const r = aegis(["serve", "--bundle", join(work, "missing.tar.gz"), "--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--state", `sqlite:${join(work, "x.db")}`]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/AEGIS_ERR_BUNDLE_READ: initial bundle .*missing\.tar\.gz could not be loaded/);
  });

  it("exits 3 on an invalid configuration file", () => {
    const config = join(work, "bad.yaml");
    writeFileSync(config, "grpc:\n  adress: ':1'\n");
    const r = aegis(["serve", "--config", config, "--bundle", bundle]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/AEGIS_ERR_CONFIG_INVALID/);
  });

  it("exits 4 when the gRPC port is taken", async () => {
    const port = await freePort();
    const blocker = createServer().listen(port, "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    const r = aegis(["serve", "--bundle", bundle, "--grpc-addr", `127.0.0.1:${port}`, "--http-addr", "127.0.0.1:0", "--state", `sqlite:${join(work, "y.db")}`]);
    blocker.close();
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/AEGIS_ERR_LISTEN: gRPC cannot listen on 127\.0\.0\.1:\d+/);
  });
});
