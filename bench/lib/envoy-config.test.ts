import { describe, expect, it } from "vitest";
import { envoyConfig, EXT_AUTHZ_FILTER } from "./envoy-config.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const hcm = (config: Json): Json => config.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
const clusterPort = (config: Json, name: string): number =>
  (config.static_resources.clusters as Json[]).find((c) => c.name === name)?.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value;

describe("envoyConfig", () => {
  it("re-points the shipped config at the benchmark's ports and keeps ext_authz", () => {
    const config = envoyConfig({ listenPort: 1001, adminPort: 1002, upstreamPort: 1003, authzPort: 1004 });
    expect(config.static_resources.listeners[0].address.socket_address).toEqual({ address: "127.0.0.1", port_value: 1001 });
    expect(config.admin.address.socket_address.port_value).toBe(1002);
    expect(clusterPort(config, "tool_upstream")).toBe(1003);
    expect(clusterPort(config, "aegis")).toBe(1004);
    expect((hcm(config).http_filters as Json[]).map((f) => f.name)).toContain(EXT_AUTHZ_FILTER);
  });

  it("without an authorization server, drops the ext_authz filter and its per-route settings and nothing else", () => {
    const withAuthz = envoyConfig({ listenPort: 1, adminPort: 2, upstreamPort: 3, authzPort: 4 });
    const without = envoyConfig({ listenPort: 1, adminPort: 2, upstreamPort: 3, authzPort: null });
    expect((hcm(without).http_filters as Json[]).map((f) => f.name)).toEqual((hcm(withAuthz).http_filters as Json[]).map((f) => f.name).filter((n) => n !== EXT_AUTHZ_FILTER));
    expect(JSON.stringify(hcm(without).route_config)).not.toContain(EXT_AUTHZ_FILTER);
    expect(hcm(without).route_config.virtual_hosts.map((v: Json) => v.domains)).toEqual(hcm(withAuthz).route_config.virtual_hosts.map((v: Json) => v.domains));
  });
});
