// A tool call → the CheckRequest Envoy would send for it, so the server runs the very same
// input stage (identity, call chain, params, catalog) for SDK calls as for sidecar calls.
// Tool and action travel as context_extensions, as an Envoy route names them.
import { AegisError } from "../errors/registry.ts";
import type { CheckRequest } from "../grpc/ext-authz-types.ts";
import { HEADER } from "../input/header-names.ts";
import type { AegisIdentity, CheckCall } from "./types.ts";

export function identityHeaders(identity: AegisIdentity): Record<string, string> {
  if ("bearerToken" in identity) return { [HEADER.authorization]: `Bearer ${identity.bearerToken}` };
  return { [HEADER.tenant]: identity.tenant, [HEADER.agent]: identity.agent };
}

export function buildCheckRequest(call: CheckCall, identity: AegisIdentity, requestId: string): CheckRequest {
  // The server reads a body shaped like an MCP tools/call as one and takes its action from it, so
  // such params (an agent's model may write them) would be judged as another call than the tool makes.
  if (call.params !== undefined && Object.hasOwn(call.params, "method") && call.params["method"] === "tools/call") {
    throw new AegisError("AEGIS_ERR_SDK_CHECK", 'params must not be an MCP tools/call envelope ("method": "tools/call")');
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(call.headers ?? {})) headers[name.toLowerCase()] = value;
  // The SDK's own headers win over same-named caller headers: the identity is the client's.
  Object.assign(headers, identityHeaders(identity), { [HEADER.contentType]: "application/json" });
  if (call.parentAgent !== undefined) headers[HEADER.parentAgent] = call.parentAgent;
  if (call.attestation !== undefined) headers[HEADER.attestation] = call.attestation;
  if (call.overrideToken !== undefined) headers[HEADER.overrideToken] = call.overrideToken;
  const body = Buffer.from(JSON.stringify(call.params ?? {}));
  return {
    attributes: {
      source: null,
      destination: null,
      request: {
        time: null,
        http: {
          id: requestId,
          method: call.method ?? "POST",
          headers,
          header_map: null,
          path: call.path ?? "/",
          host: call.host,
          scheme: "https",
          query: "",
          fragment: "",
          size: String(body.length),
          protocol: "HTTP/1.1",
          body: "",
          raw_body: body,
        },
      },
      context_extensions: { tool: call.tool, action: call.action },
      metadata_context: null,
      route_metadata_context: null,
      tls_session: null,
    },
  };
}
