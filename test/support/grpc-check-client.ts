// A gRPC client for a running `aegis serve`: ext_authz Check (with the same proto loader options
// as the server, so requests and responses have the snake_case shapes of ext-authz-types.ts) and
// grpc.health.v1 Check / Watch. For tests that talk to Aegis directly, without Envoy.
import { credentials, loadPackageDefinition, type Client, type ClientReadableStream, type ServiceError } from "@grpc/grpc-js";
import type { CheckRequest, CheckResponse, HealthCheckResponse, ServingStatus } from "../../src/grpc/ext-authz-types.ts";
import { loadPackageDefinition as loadAegisProtos } from "../../src/grpc/load-protos.ts";

type Unary<Req, Res> = (request: Req, callback: (err: ServiceError | null, response: Res) => void) => void;

interface AuthorizationStub extends Client {
  Check: Unary<CheckRequest, CheckResponse>;
}

interface HealthStub extends Client {
  Check: Unary<{ service: string }, HealthCheckResponse>;
  Watch(request: { service: string }): ClientReadableStream<HealthCheckResponse>;
}

type Ctor<T> = new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => T;

function stubs(): { Authorization: Ctor<AuthorizationStub>; Health: Ctor<HealthStub> } {
  const tree = loadPackageDefinition(loadAegisProtos()) as unknown as {
    envoy: { service: { auth: { v3: { Authorization: Ctor<AuthorizationStub> } } } };
    grpc: { health: { v1: { Health: Ctor<HealthStub> } } };
  };
  return { Authorization: tree.envoy.service.auth.v3.Authorization, Health: tree.grpc.health.v1.Health };
}

/** A CheckResponse read the way Envoy applies it. */
export interface CheckAnswer {
  readonly kind: "ok" | "denied";
  /** Denied answers: "Forbidden" (403) or "BadRequest" (400); null for ok. */
  readonly httpStatus: string | null;
  /** The parsed JSON body of a denied answer; {} for ok. */
  readonly body: Readonly<Record<string, unknown>>;
  /** Headers added to the upstream request (ok) or to the local reply (denied), lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly headersToRemove: readonly string[];
  readonly queryToSet: Readonly<Record<string, string>>;
}

export function readAnswer(response: CheckResponse): CheckAnswer {
  if (response.http_response === "ok_response") {
    const ok = response.ok_response;
    return {
      kind: "ok", httpStatus: null, body: {},
      headers: Object.fromEntries(ok.headers.map((h) => [h.header?.key ?? "", h.header?.value ?? ""])),
      headersToRemove: [...ok.headers_to_remove],
      queryToSet: Object.fromEntries(ok.query_parameters_to_set.map((q) => [q.key, q.value])),
    };
  }
  const denied = response.denied_response;
  return {
    kind: "denied", httpStatus: denied.status?.code ?? null, body: JSON.parse(denied.body) as Record<string, unknown>,
    headers: Object.fromEntries(denied.headers.map((h) => [h.header?.key ?? "", h.header?.value ?? ""])),
    headersToRemove: [], queryToSet: {},
  };
}

export interface CheckClient {
  check(request: CheckRequest): Promise<CheckAnswer>;
  /** grpc.health.v1 Check for the named service ("" = the server as a whole). */
  health(service?: string): Promise<ServingStatus>;
  /** grpc.health.v1 Watch: every status the server pushes, until cancel(). */
  watchHealth(service: string, onStatus: (status: ServingStatus) => void): { cancel(): void };
  close(): void;
}

export function connectCheckClient(port: number): CheckClient {
  const { Authorization, Health } = stubs();
  const address = `127.0.0.1:${port}`;
  const authz = new Authorization(address, credentials.createInsecure());
  const health = new Health(address, credentials.createInsecure());
  return {
    check(request) {
      return new Promise((resolve, reject) => authz.Check(request, (err, res) => (err === null ? resolve(readAnswer(res)) : reject(err))));
    },
    health(service = "") {
      return new Promise((resolve, reject) => health.Check({ service }, (err, res) => (err === null ? resolve(res.status) : reject(err))));
    },
    watchHealth(service, onStatus) {
      const stream = health.Watch({ service });
      stream.on("data", (res: HealthCheckResponse) => onStatus(res.status));
      // A cancelled or ended stream reports an error status; the watcher only wants the statuses.
      stream.on("error", () => undefined);
      return { cancel: () => stream.cancel() };
    },
    close() {
      authz.close();
      health.close();
    },
  };
}
