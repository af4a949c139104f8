// The ext_authz gRPC server: Authorization/Check, grpc.health.v1 (SERVING only with a bundle)
// and server reflection so grpcurl works without proto files.
import { Server, ServerCredentials, status as GrpcStatus, type sendUnaryData, type ServerDuplexStream, type ServerUnaryCall } from "@grpc/grpc-js";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation } from "grpc-health-check";
import { AegisError, grpcStatusOf, isAegisError } from "../errors/registry.ts";
import type { ProcessingRequest, ProcessingResponse } from "../extproc/ext-proc-types.ts";
import type { CheckRequest, CheckResponse } from "../grpc/ext-authz-types.ts";
import { loadProtos, loadPackageDefinition } from "../grpc/load-protos.ts";
import { linkableForReflection } from "../grpc/reflection-descriptors.ts";
import type { Config } from "./config.ts";
import { parseAddr } from "./config.ts";

export const AUTHORIZATION_SERVICE = "envoy.service.auth.v3.Authorization";
export const EXTERNAL_PROCESSOR_SERVICE = "envoy.service.ext_proc.v3.ExternalProcessor";

/** One ext_proc stream per HTTP request (src/extproc/process-stream.ts). */
export type ExtProcHandler = (stream: ServerDuplexStream<ProcessingRequest, ProcessingResponse>) => void;

export interface GrpcServerHandle {
  readonly port: number;
  readonly health: HealthImplementation;
  setServing(serving: boolean): void;
  /** Stops accepting, lets in-flight calls finish for up to graceMs, then cancels the rest. */
  shutdown(graceMs: number): Promise<void>;
}

/**
 * The Check implementation (src/authz/pipeline.ts): it answers with a result holding the response,
 * or fails with an AegisError, answered with the gRPC status the error registry gives its code.
 */
export type CheckHandler = (request: CheckRequest) => Promise<{ readonly response: CheckResponse }>;

function failureDetails(err: unknown): string {
  if (isAegisError(err)) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

export async function startGrpcServer(config: Config["grpc"], check: CheckHandler, extProc?: ExtProcHandler): Promise<GrpcServerHandle> {
  const protos = loadProtos();
  let inFlight = 0;
  const server = new Server({
    "grpc.max_receive_message_length": config.max_receive_message_bytes,
    "grpc.keepalive_time_ms": config.keepalive_time_ms,
    "grpc.keepalive_timeout_ms": config.keepalive_timeout_ms,
    // Envoy pings its long-lived ext_authz connections; do not treat that as abuse.
    "grpc.keepalive_permit_without_calls": 1,
    "grpc.http2.min_ping_interval_without_data_ms": 5_000,
    ...(config.max_connection_idle_ms > 0 ? { "grpc.max_connection_idle_ms": config.max_connection_idle_ms } : {}),
  });

  server.addService(protos.authorization, {
    Check(call: ServerUnaryCall<CheckRequest, CheckResponse>, callback: sendUnaryData<CheckResponse>) {
      // A cancelled call is still decided and logged (the decision log must not miss it), so
      // nothing listens for cancellation: grpc-js drops the late answer by itself.
      inFlight++;
      check(call.request)
        .then(
          (result) => callback(null, result.response),
          // Envoy's failure_mode_allow / status_on_error decides; the shipped configs fail closed.
          (err: unknown) => callback({ code: GrpcStatus[grpcStatusOf(err)], details: failureDetails(err) }),
        )
        .finally(() => inFlight--);
    },
  });

  if (extProc !== undefined) {
    server.addService(protos.externalProcessor, {
      Process(stream: ServerDuplexStream<ProcessingRequest, ProcessingResponse>) {
        inFlight++;
        let counted = true;
        const done = () => {
          if (counted) inFlight--;
          counted = false;
        };
        stream.on("finish", done);
        stream.on("error", done);
        stream.on("cancelled", done);
        extProc(stream);
      },
    });
  }

  const health = new HealthImplementation({ "": "NOT_SERVING", [AUTHORIZATION_SERVICE]: "NOT_SERVING", ...(extProc === undefined ? {} : { [EXTERNAL_PROCESSOR_SERVICE]: "NOT_SERVING" }) });
  health.addToServer(server);
  // Linkable descriptors: grpcurl describe/invoke must resolve every type from reflection alone.
  new ReflectionService(linkableForReflection(loadPackageDefinition())).addToServer(server);

  const { host, port: wantedPort } = parseAddr(config.addr);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host.includes(":") ? `[${host}]` : host}:${wantedPort}`, ServerCredentials.createInsecure(), (err, bound) => {
      if (err !== null) reject(new AegisError("AEGIS_ERR_LISTEN", `gRPC cannot listen on ${config.addr}: ${err.message}`, { cause: err }));
      else resolve(bound);
    });
  });

  return {
    port,
    health,
    setServing(serving) {
      const status = serving ? "SERVING" : "NOT_SERVING";
      health.setStatus("", status);
      health.setStatus(AUTHORIZATION_SERVICE, status);
      if (extProc !== undefined) health.setStatus(EXTERNAL_PROCESSOR_SERVICE, status);
    },
    shutdown(graceMs) {
      return new Promise((resolve) => {
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          clearInterval(idle);
          server.forceShutdown();
          resolve();
        };
        const timer = setTimeout(finish, graceMs);
        // Stops accepting at once; open health Watch streams never end by themselves, so the
        // drain is over when no Check is in flight, not when every stream has closed.
        server.tryShutdown(finish);
        const idle = setInterval(() => {
          if (inFlight === 0) finish();
        }, 10);
      });
    },
  };
}
