// The hand-written interfaces in ext-authz-types.ts must name exactly what the loader produces:
// a fully populated value typed by them (excess-property checked) survives encode → decode
// unchanged only if every field name, oneof discriminator and scalar representation is right.
import { describe, expect, it } from "vitest";
import type { CheckRequest, CheckResponse, HealthCheckRequest, HealthCheckResponse } from "./ext-authz-types.ts";
import { loadPackageDefinition, loadProtos } from "./load-protos.ts";

const { authorization, health } = loadProtos();
const check = authorization["Check"]!;
const healthCheck = health["Check"]!;

const metadata = {
  filter_metadata: {
    "envoy.filters.http.jwt_authn": {
      fields: {
        s: { kind: "stringValue", stringValue: "v" },
        n: { kind: "numberValue", numberValue: 1.5 },
        b: { kind: "boolValue", boolValue: true },
        z: { kind: "nullValue", nullValue: "NULL_VALUE" },
        l: { kind: "listValue", listValue: { values: [{ kind: "stringValue", stringValue: "x" }] } },
        o: { kind: "structValue", structValue: { fields: { k: { kind: "stringValue", stringValue: "w" } } } },
      },
    },
  },
  typed_filter_metadata: { "com.example": { type_url: "type.googleapis.com/google.protobuf.Empty", value: Buffer.from([1, 2]) } },
} as const;

const fullRequest: CheckRequest = {
  attributes: {
    source: {
      address: {
        address: "socket_address",
        socket_address: {
          protocol: "UDP",
          address: "10.0.0.1",
          port_specifier: "port_value",
          port_value: 34567,
          resolver_name: "r",
          ipv4_compat: true,
        },
      },
      service: "agent-svc",
      labels: { app: "agent" },
      principal: "spiffe://cluster.local/ns/acme/sa/finance-agent",
      certificate: "-----BEGIN%20CERTIFICATE-----",
    },
    destination: {
      address: { address: "pipe", pipe: { path: "/run/sock", mode: 420 } },
      service: "tool",
      labels: {},
      principal: "spiffe://cluster.local/ns/tools/sa/stripe",
      certificate: "",
    },
    request: {
      time: { seconds: "1700000000", nanos: 5 },
      http: {
        id: "req-1",
        method: "POST",
        headers: { "content-type": "application/json" },
        header_map: { headers: [{ key: "x-a", value: "", raw_value: Buffer.from("raw") }] },
        path: "/v1/payment_intents?x=1",
        host: "api.stripe.com:443",
        scheme: "https",
        query: "q",
        fragment: "f",
        size: "9007199254740993",
        protocol: "HTTP/2",
        body: "{}",
        raw_body: Buffer.from([0xff, 0x00]),
      },
    },
    context_extensions: { tool: "stripe-payments" },
    metadata_context: metadata,
    route_metadata_context: { filter_metadata: {}, typed_filter_metadata: {} },
    tls_session: { sni: "api.stripe.com" },
  },
};

const internalPeer: CheckRequest = {
  attributes: {
    ...fullRequest.attributes!,
    source: {
      address: {
        address: "envoy_internal_address",
        envoy_internal_address: { address_name_specifier: "server_listener_name", server_listener_name: "l", endpoint_id: "e" },
      },
      service: "",
      labels: {},
      principal: "",
      certificate: "",
    },
    destination: {
      address: {
        address: "socket_address",
        socket_address: {
          protocol: "TCP",
          address: "::1",
          port_specifier: "named_port",
          named_port: "https",
          resolver_name: "",
          ipv4_compat: false,
        },
      },
      service: "",
      labels: {},
      principal: "",
      certificate: "",
    },
  },
};

const header = {
  header: { key: "x-aegis-decision-id", value: "d-1", raw_value: Buffer.alloc(0) },
  append: { value: false },
  append_action: "OVERWRITE_IF_EXISTS_OR_ADD",
  keep_empty_value: true,
} as const;

const okResponse: CheckResponse = {
  status: { code: 0, message: "ok", details: [{ type_url: "type.googleapis.com/x", value: Buffer.from([3]) }] },
  http_response: "ok_response",
  ok_response: {
    headers: [header],
    dynamic_metadata: { fields: { a: { kind: "stringValue", stringValue: "b" } } },
    headers_to_remove: ["x-api-key"],
    response_headers_to_add: [{ ...header, append_action: "ADD_IF_ABSENT" }],
    query_parameters_to_set: [{ key: "token", value: "[REDACTED]" }],
    query_parameters_to_remove: ["debug"],
  },
  dynamic_metadata: metadata.filter_metadata["envoy.filters.http.jwt_authn"],
};

const deniedResponse: CheckResponse = {
  status: { code: 7, message: "", details: [] },
  http_response: "denied_response",
  denied_response: {
    status: { code: "Forbidden" },
    headers: [{ ...header, append_action: "OVERWRITE_IF_EXISTS" }, { ...header, append_action: "APPEND_IF_EXISTS_OR_ADD" }],
    body: '{"error":"PolicyViolation"}',
  },
  dynamic_metadata: null,
};

describe("loadProtos", () => {
  it("returns the Authorization service with the Envoy method path", () => {
    expect(check.path).toBe("/envoy.service.auth.v3.Authorization/Check");
    expect(check.requestStream).toBe(false);
    expect(check.responseStream).toBe(false);
  });

  it("returns the gRPC health service with Check and a streaming Watch", () => {
    expect(healthCheck.path).toBe("/grpc.health.v1.Health/Check");
    expect(health["Watch"]?.responseStream).toBe(true);
  });

  it("loads once and hands back the same definitions", () => {
    expect(loadProtos()).toBe(loadProtos());
  });
});

describe("ext-authz-types.ts names what the loader produces", () => {
  it.each([
    ["a CheckRequest with socket and pipe peers", fullRequest],
    ["a CheckRequest with internal and named-port peers", internalPeer],
  ])("%s round-trips unchanged", (_name, request) => {
    expect(check.requestDeserialize(check.requestSerialize(request))).toEqual(request);
  });

  it("an empty CheckRequest decodes with attributes null", () => {
    const empty: CheckRequest = { attributes: null };
    expect(check.requestDeserialize(Buffer.alloc(0))).toEqual(empty);
  });

  it.each([
    ["an ok CheckResponse", okResponse],
    ["a denied CheckResponse", deniedResponse],
  ])("%s round-trips unchanged", (_name, response) => {
    expect(check.responseDeserialize(check.responseSerialize(response))).toEqual(response);
  });

  it("health messages round-trip unchanged", () => {
    const request: HealthCheckRequest = { service: "envoy.service.auth.v3.Authorization" };
    const response: HealthCheckResponse = { status: "NOT_SERVING" };
    expect(healthCheck.requestDeserialize(healthCheck.requestSerialize(request))).toEqual(request);
    expect(healthCheck.responseDeserialize(healthCheck.responseSerialize(response))).toEqual(response);
  });
});

describe("loadPackageDefinition", () => {
  it("holds the ext_authz and health services and their messages, loaded once", () => {
    const definition = loadPackageDefinition();
    expect(definition).toBe(loadPackageDefinition());
    // The served Authorization is the packaged one with Check answering through the hand-written encoder.
    const packaged = definition["envoy.service.auth.v3.Authorization"] as typeof authorization;
    expect({ ...authorization["Check"], responseSerialize: null }).toEqual({ ...packaged["Check"], responseSerialize: null });
    expect(Object.keys(definition)).toEqual(expect.arrayContaining(["envoy.service.auth.v3.CheckRequest", "grpc.health.v1.HealthCheckResponse"]));
  });
});
