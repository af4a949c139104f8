// Loads the wire contract from proto/ once. The loader options decide the JS shape of every
// message (see ext-authz-types.ts), so they live here and nowhere else.
import { fileURLToPath } from "node:url";
import { loadSync, type Options, type PackageDefinition, type ServiceDefinition } from "@grpc/proto-loader";
import { AegisError } from "../errors/registry.ts";
import { encodeCheckResponse } from "./check-response-encoder.ts";
import type { CheckResponse } from "./ext-authz-types.ts";

export const PROTO_ROOT = fileURLToPath(new URL("../../proto/", import.meta.url));

export const PROTO_FILES = [
  "envoy/service/auth/v3/external_auth.proto",
  "envoy/service/ext_proc/v3/external_processor.proto",
  "grpc/health/v1/health.proto",
] as const;

export const LOADER_OPTIONS: Readonly<Options> = Object.freeze({
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
});

export interface LoadedProtos {
  /** envoy.service.auth.v3.Authorization, for server.addService. */
  readonly authorization: ServiceDefinition;
  /** envoy.service.ext_proc.v3.ExternalProcessor: the body phases (src/extproc). */
  readonly externalProcessor: ServiceDefinition;
  /** grpc.health.v1.Health. */
  readonly health: ServiceDefinition;
}

let packageDefinition: PackageDefinition | undefined;
let loaded: LoadedProtos | undefined;

/** Every message and service in proto/, e.g. for server reflection. */
export function loadPackageDefinition(): PackageDefinition {
  if (packageDefinition !== undefined) return packageDefinition;
  try {
    packageDefinition = loadSync([...PROTO_FILES], { ...LOADER_OPTIONS });
  } catch (cause) {
    throw new AegisError("AEGIS_ERR_PROTO_LOAD", `could not load ${PROTO_FILES.join(", ")}`, { cause });
  }
  return packageDefinition;
}

export function loadProtos(): LoadedProtos {
  if (loaded !== undefined) return loaded;
  const definition = loadPackageDefinition();
  loaded = Object.freeze({
    authorization: withCheckResponseEncoder(service(definition["envoy.service.auth.v3.Authorization"], "envoy.service.auth.v3.Authorization")),
    externalProcessor: service(definition["envoy.service.ext_proc.v3.ExternalProcessor"], "envoy.service.ext_proc.v3.ExternalProcessor"),
    health: service(definition["grpc.health.v1.Health"], "grpc.health.v1.Health"),
  });
  return loaded;
}

function service(value: unknown, name: string): ServiceDefinition {
  // A service definition is a record of method definitions; a message type carries `format`.
  if (value === undefined || value === null || typeof value !== "object" || "format" in value) {
    throw new AegisError("AEGIS_ERR_PROTO_LOAD", `${name} is not a service in ${PROTO_FILES.join(", ")}`);
  }
  return value as ServiceDefinition;
}

/** Check answers through check-response-encoder.ts; a shape it does not know goes to protobufjs. */
function withCheckResponseEncoder(authorization: ServiceDefinition): ServiceDefinition {
  const check = authorization["Check"];
  if (check === undefined) throw new AegisError("AEGIS_ERR_PROTO_LOAD", "envoy.service.auth.v3.Authorization has no Check method");
  const generic = check.responseSerialize;
  const responseSerialize = (value: object): Buffer => encodeCheckResponse(value as CheckResponse) ?? generic(value);
  return { ...authorization, Check: { ...check, responseSerialize } };
}
