import { describe, expect, it } from "vitest";
import { isAegisError } from "../errors/registry.ts";
import type { CheckRequest } from "../grpc/ext-authz-types.ts";
import { loadProtos } from "../grpc/load-protos.ts";
import { fromCheckRequest } from "../input/from-check-request.ts";
import { readRequestFacts } from "../input/request-facts.ts";
import { buildCheckRequest } from "./build-check-request.ts";

const check = loadProtos().authorization["Check"]!;
const limits = { maxBodyBytes: 1 << 20, maxParams: 1000, maxDepth: 32 };

/** As the server receives it. */
function overTheWire(request: CheckRequest): CheckRequest {
  return check.requestDeserialize(check.requestSerialize(request) as Buffer) as CheckRequest;
}

describe("buildCheckRequest", () => {
  it("is read by the server's input stage as the call it describes", () => {
    const request = overTheWire(buildCheckRequest(
      { tool: "stripe-payments", action: "create_payment", host: "API.Stripe.com:443", path: "/v1/pi?expand=x", params: { amount: 120, meta: { a: [1] } } },
      { tenant: "acme", agent: "finance-agent" }, "r-1",
    ));
    const mapped = fromCheckRequest(request, {
      identity: { tenant: "acme", agent: "finance-agent", source: "header" }, catalog: () => [], budgets: {}, limits,
      callChain: { parent: null, depth: 0, verified: false, error: null },
    });
    expect(mapped.ok && mapped.input).toMatchObject({
      tool: "stripe-payments", action: "create_payment", host: "api.stripe.com", method: "POST", path: "/v1/pi",
      params: { expand: "x", amount: 120, meta: { a: [1] } },
    });
    expect(mapped.request.requestId).toBe("r-1");
  });

  it("sends header identity, chain and override headers, and lets them win over same-named caller headers", () => {
    const facts = readRequestFacts(overTheWire(buildCheckRequest(
      { tool: "t", action: "a", host: "h", headers: { "X-Aegis-Agent": "impostor", Accept: "*/*" }, parentAgent: "orchestrator", attestation: "jws", overrideToken: "aegis_ot_1" },
      { tenant: "acme", agent: "finance-agent" }, "r-2",
    )));
    expect(facts.headers).toMatchObject({ "x-aegis-tenant": "acme", "x-aegis-agent": "finance-agent", accept: "*/*", "content-type": "application/json" });
    expect(facts).toMatchObject({ parentAgent: "orchestrator", attestation: "jws", overrideToken: "aegis_ot_1" });
  });

  it("sends a bearer identity as the authorization header and no identity headers", () => {
    const facts = readRequestFacts(buildCheckRequest({ tool: "t", action: "a", host: "h" }, { bearerToken: "eyJ.x.y" }, "r-3"));
    expect(facts.headers["authorization"]).toBe("Bearer eyJ.x.y");
    expect(facts.headers["x-aegis-tenant"]).toBeUndefined();
  });

  it("refuses params shaped like an MCP tools/call, which the server would judge as a different action", () => {
    let thrown: unknown;
    try {
      buildCheckRequest({ tool: "t", action: "read", host: "h", params: { method: "tools/call", params: { name: "delete_all" } } }, { tenant: "a", agent: "b" }, "r");
    } catch (err) {
      thrown = err;
    }
    expect(isAegisError(thrown, "AEGIS_ERR_SDK_CHECK")).toBe(true);
  });
});
