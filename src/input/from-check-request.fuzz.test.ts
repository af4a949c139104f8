// Whatever Envoy (or anything pretending to be Envoy) sends, the input stage returns a result
// instead of throwing, and every input it produces satisfies the policy-input schema.
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CatalogEntry } from "./catalog.ts";
import { type InputContext, fromCheckRequest } from "./from-check-request.ts";

const schema = JSON.parse(readFileSync(new URL("../../schemas/policy-input.schema.json", import.meta.url), "utf8"));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

const catalog: CatalogEntry[] = [
  { host: "api.stripe.com", method: "POST", path: "/v1/*", tool: "stripe", action: "pay" },
  { host: "*.acme.internal", method: "*", path: "/mcp/**", tool: "mcp", action: "call" },
];

const text = fc.string({ maxLength: 24, unit: "binary" });
const headerName = fc.oneof(
  fc.constantFrom("content-type", "x-envoy-auth-partial-body", "authorization", "x-aegis-parent-agent", "x-aegis-override-token", "Content-Type", "__proto__", "constructor"),
  fc.string({ maxLength: 12 }),
);
const contentType = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "application/x-www-form-urlencoded",
  "application/vnd.api+json",
  "text/plain",
  "multipart/form-data; boundary=x",
  "",
);
const headerValue = fc.oneof(contentType, fc.constantFrom("true", "TRUE", "false"), text);
// Arrays of pairs rather than fc.dictionary: same coverage, a fraction of the generation cost.
const record = <T>(key: fc.Arbitrary<string>, value: fc.Arbitrary<T>, maxKeys: number) =>
  fc.array(fc.tuple(key, value), { maxLength: maxKeys }).map((pairs) => Object.fromEntries(pairs));
const headers = fc.oneof(
  record(headerName, headerValue, 5),
  fc.record({ "content-type": contentType, "x-envoy-auth-partial-body": fc.constantFrom("true", "false") }),
);
const headerMap = fc.option(
  fc.record({
    headers: fc.array(
      fc.record({ key: headerName, value: headerValue, raw_value: fc.oneof(fc.uint8Array({ maxLength: 8 }), fc.constant(new Uint8Array())) }),
      { maxLength: 4 },
    ),
  }),
);
const jsonValue = fc.jsonValue({ maxDepth: 2, depthSize: "small" });
const mcpBody = fc
  .record({ name: fc.oneof(fc.string({ maxLength: 8 }), jsonValue), arguments: fc.option(jsonValue) })
  .map((params) => JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params }));
const formBody = fc
  .array(fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })), { maxLength: 6 })
  .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&"));
const bodyText = fc.oneof(
  jsonValue.map((v) => JSON.stringify(v)),
  mcpBody,
  formBody,
  text,
  fc.constantFrom("{", '{"a":', "[", "{}", "[]", "null", '{"__proto__":{"x":1}}', '{"a":{"b":{"c":{"d":{"e":{"f":{"g":1}}}}}}}'),
);
const rawBody = fc.oneof(
  fc.constant(new Uint8Array()),
  fc.uint8Array({ maxLength: 32 }),
  bodyText.map((s) => new Uint8Array(Buffer.from(s))),
);
const host = fc.oneof(
  fc.constantFrom("api.stripe.com", "API.STRIPE.COM:443", "[::1]:80", "[::1]", "x.acme.internal.", "[x].", "a:b:c", "", ".", "..:80"),
  text,
);
const segments = fc.array(fc.constantFrom("v1", "pay", "mcp", "a", "", "..", "*", "%2F"), { maxLength: 4 }).map((s) => `/${s.join("/")}`);
const path = fc.oneof(
  fc.constantFrom("/v1/pay", "/mcp/a/b", "/v1/pay?amount=10&amount=20", "/?__proto__=1", "/p?%ZZ=%E0%A4%A"),
  fc.tuple(segments, formBody).map(([p, q]) => `${p}?${q}`),
  text,
);
const http = fc
  .record({ method: fc.constantFrom("GET", "POST", "post", "", "BREW"), headers, header_map: headerMap, path, host, body: bodyText, raw_body: rawBody })
  .map((fields) => ({ id: "r", scheme: "https", query: "", fragment: "", size: "-1", protocol: "HTTP/1.1", ...fields }));
const wellFormed = fc
  .record({
    http: fc.option(http, { freq: 20 }),
    context_extensions: record(fc.constantFrom("tool", "action", "other"), fc.string({ maxLength: 8 }), 3),
  })
  .map(({ http, context_extensions }) => ({
    attributes: {
      source: { principal: "", labels: {}, service: "", certificate: "", address: null },
      destination: null,
      request: { time: null, http },
      context_extensions,
      metadata_context: null,
      route_metadata_context: null,
      tls_session: null,
    },
  }));
// Shapes no proto decoder would produce, in case something else calls the stage.
const malformed = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  record(fc.constantFrom("headers", "header_map", "body", "raw_body", "path", "host", "method"), fc.anything({ maxDepth: 1 }), 4)
    .map((http) => ({ attributes: { request: { http } } })),
);
const identity = fc.option(
  fc.record({ tenant: fc.string({ minLength: 1, maxLength: 6 }), agent: fc.string({ minLength: 1, maxLength: 6 }), source: fc.constantFrom("jwt", "spiffe", "header") as fc.Arbitrary<"jwt" | "spiffe" | "header"> }),
);

function context(id: InputContext["identity"]): InputContext {
  return {
    identity: id,
    catalog: () => catalog,
    callChain: { parent: null, depth: 0, verified: false, error: null },
    budgets: { daily: { spent: 10 } },
    limits: { maxBodyBytes: 256, maxParams: 64, maxDepth: 6 },
  };
}

describe("fromCheckRequest under fuzzing", () => {
  it("never throws, and every input it returns validates against schemas/policy-input.schema.json", () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof({ arbitrary: wellFormed, weight: 19 }, { arbitrary: malformed, weight: 1 }), identity, (request, id) => {
        const result = fromCheckRequest(request as never, context(id));
        if (result.ok) {
          accepted++;
          if (!validate(result.input)) {
            throw new Error(`schema violation: ${JSON.stringify(validate.errors)} for ${JSON.stringify(result.input)}`);
          }
        } else {
          expect(typeof result.reason).toBe("string");
        }
      }),
      { numRuns: 100_000 },
    );
    // The generators must reach the success path often, or the schema check proves little.
    expect(accepted).toBeGreaterThan(50_000);
  });
});
