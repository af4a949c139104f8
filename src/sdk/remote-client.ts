// Remote mode: asks a running `aegis serve` over its ext_authz gRPC API, exactly as Envoy does,
// so SDK calls get the same identity checks, state (budgets, approvals, override tokens),
// decision log and metrics as sidecar calls.
import { randomUUID } from "node:crypto";
import { Client, credentials as grpcCredentials, Metadata, type ChannelCredentials, type ChannelOptions, type ServiceError } from "@grpc/grpc-js";
import { AegisError } from "../errors/registry.ts";
import type { CheckRequest, CheckResponse } from "../grpc/ext-authz-types.ts";
import { loadProtos } from "../grpc/load-protos.ts";
import { buildCheckRequest } from "./build-check-request.ts";
import { parseCheckResponse } from "./parse-check-response.ts";
import type { AegisChecker, AegisIdentity, CheckCall, CheckResult } from "./types.ts";

export const DEFAULT_CHECK_TIMEOUT_MS = 1000;

export interface AegisClientOptions {
  /** host:port of the Aegis gRPC listener, e.g. "aegis.aegis-system:9191". */
  readonly grpcAddress: string;
  readonly identity: AegisIdentity;
  /** Default: plaintext (a sidecar or in-mesh hop); pass grpc.credentials.createSsl(...) for TLS. */
  readonly credentials?: ChannelCredentials;
  /** Deadline of each check; default 1000 ms. */
  readonly timeoutMs?: number;
  readonly channelOptions?: Partial<ChannelOptions>;
}

export function createAegisClient(options: AegisClientOptions): AegisChecker {
  const method = loadProtos().authorization["Check"];
  if (method === undefined) throw new AegisError("AEGIS_ERR_PROTO_LOAD", "envoy.service.auth.v3.Authorization has no Check method");
  const client = new Client(options.grpcAddress, options.credentials ?? grpcCredentials.createInsecure(), options.channelOptions ?? {});
  const timeoutMs = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;

  function callCheck(request: CheckRequest): Promise<CheckResponse> {
    return new Promise((resolve, reject) => {
      client.makeUnaryRequest<CheckRequest, CheckResponse>(
        method!.path,
        method!.requestSerialize as (value: CheckRequest) => Buffer,
        method!.responseDeserialize as (bytes: Buffer) => CheckResponse,
        request,
        new Metadata(),
        { deadline: Date.now() + timeoutMs },
        (err: ServiceError | null, response?: CheckResponse) => {
          if (err !== null) {
            reject(new AegisError("AEGIS_ERR_SDK_CHECK", `Aegis at ${options.grpcAddress} answered gRPC ${err.code}: ${err.details}`, { cause: err, details: { grpcCode: err.code } }));
          } else if (response === undefined) {
            reject(new AegisError("AEGIS_ERR_SDK_CHECK", `Aegis at ${options.grpcAddress} sent no response`));
          } else {
            resolve(response);
          }
        },
      );
    });
  }

  return {
    async check(call: CheckCall): Promise<CheckResult> {
      const response = await callCheck(buildCheckRequest(call, options.identity, randomUUID()));
      return parseCheckResponse(response, call);
    },
    async close() {
      client.close();
    },
  };
}
