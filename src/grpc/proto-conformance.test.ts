// Our proto/ files are a hand-kept subset of the Envoy, googleapis and grpc-proto definitions.
// This pins every message, field, enum value and method we define to the canonical ones
// shipped by @grpc/grpc-js-xds, so a typo in a number or type fails here, not on the wire.
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { PROTO_FILES, PROTO_ROOT } from "./load-protos.ts";

const xdsDeps = join(dirname(createRequire(import.meta.url).resolve("@grpc/grpc-js-xds/package.json")), "deps");
const CANONICAL_DIRS = ["envoy-api", "xds", "protoc-gen-validate", "googleapis"].map((d) => join(xdsDeps, d));

function loadRoot(files: readonly string[], includeDirs: readonly string[]): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => {
    if (isAbsolute(target)) return target;
    for (const dir of includeDirs) {
      const candidate = join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    return protobuf.util.path.resolve(origin, target);
  };
  root.loadSync([...files], { keepCase: true });
  root.resolveAll();
  return root;
}

function collect(ns: protobuf.NamespaceBase, out: protobuf.ReflectionObject[] = []): protobuf.ReflectionObject[] {
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Type || nested instanceof protobuf.Enum || nested instanceof protobuf.Service) {
      out.push(nested);
    }
    if (nested instanceof protobuf.Namespace) collect(nested, out);
  }
  return out;
}

interface FieldShape {
  id: number;
  type: string;
  repeated: boolean;
  map: boolean;
  keyType: string | null;
  oneof: string | null;
}

function fieldShape(field: protobuf.Field): FieldShape {
  return {
    id: field.id,
    type: field.resolvedType ? field.resolvedType.fullName : field.type,
    repeated: field.repeated,
    map: field.map,
    keyType: field instanceof protobuf.MapField ? field.keyType : null,
    oneof: field.partOf ? field.partOf.name : null,
  };
}

const ours = loadRoot(PROTO_FILES, [PROTO_ROOT]);
const canonical = loadRoot(
  ["envoy/service/auth/v3/external_auth.proto", "envoy/service/ext_proc/v3/external_processor.proto", "google/rpc/status.proto"],
  CANONICAL_DIRS,
);
// google.protobuf comes from protobufjs itself; grpc.health is checked against the table below.
const definitions = collect(ours).filter((d) => d.fullName.startsWith(".envoy.") || d.fullName.startsWith(".google.rpc."));

describe("proto/ matches the canonical Envoy and googleapis definitions", () => {
  it("defines the ext_authz surface at all", () => {
    const names = definitions.map((d) => d.fullName);
    for (const required of [
      ".envoy.service.auth.v3.Authorization",
      ".envoy.service.auth.v3.CheckRequest",
      ".envoy.service.auth.v3.CheckResponse",
      ".envoy.service.auth.v3.OkHttpResponse",
      ".envoy.service.auth.v3.DeniedHttpResponse",
      ".envoy.service.auth.v3.AttributeContext.HttpRequest",
      ".envoy.config.core.v3.HeaderValueOption.HeaderAppendAction",
      ".envoy.config.core.v3.QueryParameter",
      ".envoy.type.v3.StatusCode",
      ".google.rpc.Status",
      ".envoy.service.ext_proc.v3.ExternalProcessor",
      ".envoy.service.ext_proc.v3.ProcessingRequest",
      ".envoy.service.ext_proc.v3.ProcessingResponse",
      ".envoy.service.ext_proc.v3.CommonResponse",
      ".envoy.service.ext_proc.v3.BodyMutation",
      ".envoy.service.ext_proc.v3.ImmediateResponse",
      ".envoy.extensions.filters.http.ext_proc.v3.ProcessingMode",
    ]) {
      expect(names).toContain(required);
    }
  });

  for (const def of definitions) {
    if (def instanceof protobuf.Type) {
      it(`message ${def.fullName}: every field has the canonical number, type, label and oneof, and none is missing`, () => {
        const other = canonical.lookupType(def.fullName);
        const mine = Object.fromEntries(def.fieldsArray.map((f) => [f.name, fieldShape(f)]));
        const theirs = Object.fromEntries(other.fieldsArray.map((f) => [f.name, fieldShape(f)]));
        expect(mine).toEqual(theirs);
      });
    } else if (def instanceof protobuf.Enum) {
      it(`enum ${def.fullName}: every value has the canonical number, and none is missing`, () => {
        expect(def.values).toEqual(canonical.lookupEnum(def.fullName).values);
      });
    } else if (def instanceof protobuf.Service) {
      it(`service ${def.fullName}: every method has the canonical request, response and streaming`, () => {
        const other = canonical.lookupService(def.fullName);
        const shape = (s: protobuf.Service) =>
          Object.fromEntries(
            s.methodsArray.map((m) => [
              m.name,
              { req: m.resolvedRequestType?.fullName, res: m.resolvedResponseType?.fullName, reqStream: !!m.requestStream, resStream: !!m.responseStream },
            ]),
          );
        expect(shape(def)).toEqual(shape(other));
      });
    }
  }
});

// grpc-proto's grpc/health/v1/health.proto (no copy ships in node_modules), minus the newer List rpc.
describe("proto/grpc/health/v1 matches grpc-proto", () => {
  it("has the canonical messages, enum values and methods", () => {
    const fields = (name: string) => Object.fromEntries(ours.lookupType(name).fieldsArray.map((f) => [f.name, fieldShape(f)]));
    const scalar = { repeated: false, map: false, keyType: null, oneof: null };
    expect(fields("grpc.health.v1.HealthCheckRequest")).toEqual({ service: { id: 1, type: "string", ...scalar } });
    expect(fields("grpc.health.v1.HealthCheckResponse")).toEqual({
      status: { id: 1, type: ".grpc.health.v1.HealthCheckResponse.ServingStatus", ...scalar },
    });
    expect(ours.lookupEnum("grpc.health.v1.HealthCheckResponse.ServingStatus").values).toEqual({
      UNKNOWN: 0,
      SERVING: 1,
      NOT_SERVING: 2,
      SERVICE_UNKNOWN: 3,
    });
    const health = ours.lookupService("grpc.health.v1.Health");
    expect(health.methodsArray.map((m) => [m.name, m.resolvedRequestType?.fullName, m.resolvedResponseType?.fullName, !!m.responseStream])).toEqual([
      ["Check", ".grpc.health.v1.HealthCheckRequest", ".grpc.health.v1.HealthCheckResponse", false],
      ["Watch", ".grpc.health.v1.HealthCheckRequest", ".grpc.health.v1.HealthCheckResponse", true],
    ]);
  });
});
