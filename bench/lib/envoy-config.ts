// The shipped sidecar config (deploy/envoy/envoy.yaml) re-pointed at the benchmark's ports, as
// test/support/envoy.ts does, and nothing else changed — except, for the baseline, the ext_authz
// filter removed, so the two differ by the authorization hop alone. The ext_proc filter is kept
// only when asked for (bench/extproc), so the ext_authz paths measure ext_authz alone.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO_ROOT } from "./repo-paths.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface EnvoyPorts {
  readonly listenPort: number;
  readonly adminPort: number;
  readonly upstreamPort: number;
  /** The ext_authz server; null removes the ext_authz filter. */
  readonly authzPort: number | null;
  /** Keep the shipped ext_proc filter (to the same Aegis); removed otherwise. */
  readonly extProc?: boolean;
}

export const EXT_AUTHZ_FILTER = "envoy.filters.http.ext_authz";
export const EXT_PROC_FILTER = "envoy.filters.http.ext_proc";

export function envoyConfig(ports: EnvoyPorts): Json {
  const config = parse(readFileSync(join(REPO_ROOT, "deploy", "envoy", "envoy.yaml"), "utf8")) as Json;
  config.admin.address.socket_address.port_value = ports.adminPort;
  const listener = config.static_resources.listeners[0];
  listener.address.socket_address = { address: "127.0.0.1", port_value: ports.listenPort };
  for (const cluster of config.static_resources.clusters as Json[]) {
    const endpoint = cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address;
    endpoint.port_value = cluster.name === "aegis" ? (ports.authzPort ?? endpoint.port_value) : ports.upstreamPort;
  }
  if (ports.extProc !== true || ports.authzPort === null) {
    for (const chain of listener.filter_chains as Json[]) {
      for (const filter of chain.filters as Json[]) {
        const hcm = filter.typed_config;
        hcm.http_filters = (hcm.http_filters as Json[]).filter((f) => f.name !== EXT_PROC_FILTER);
      }
    }
  }
  if (ports.authzPort === null) {
    for (const chain of listener.filter_chains as Json[]) {
      for (const filter of chain.filters as Json[]) {
        const hcm = filter.typed_config;
        hcm.http_filters = (hcm.http_filters as Json[]).filter((f) => f.name !== EXT_AUTHZ_FILTER);
        for (const vhost of hcm.route_config.virtual_hosts as Json[]) {
          for (const route of vhost.routes as Json[]) delete route.typed_per_filter_config?.[EXT_AUTHZ_FILTER];
        }
      }
    }
  }
  return config;
}
