// Path traversal past the tools catalog (SPEC §4): "/docs/../admin/delete" matches the catalog's
// "/docs/**" as read_document while the upstream serves "/admin/delete". The shipped Envoy config
// resolves dot segments and refuses encoded slashes before Aegis and the upstream see the path;
// Aegis refuses dot segments and encoded separators with 400 invalid_request whatever Envoy sent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOCS, PLANNER, rawRequest, startInputPathsStack, type InputPathsStack } from "./input-paths-stack.ts";

let stack: InputPathsStack;

beforeAll(async () => {
  stack = await startInputPathsStack();
});

afterAll(async () => {
  await stack?.stop();
});

// The catalog in policies/examples/acme/tenant.yaml: GET wiki.docs.acme.internal/docs/** is
// read_document, GET calendar.acme.internal/v1/calendars/*/events is list_events.
const traversals: [name: string, host: string, path: string, agent: Record<string, string>][] = [
  ["dot-dot segments", "wiki.docs.acme.internal", "/docs/../admin/delete", DOCS],
  ["encoded dot-dot", "wiki.docs.acme.internal", "/docs/%2e%2e/admin", DOCS],
  ["upper-case encoded dot-dot", "wiki.docs.acme.internal", "/docs/%2E%2E/admin", DOCS],
  ["half-encoded dot-dot", "wiki.docs.acme.internal", "/docs/.%2e/admin", DOCS],
  ["dot-dot with an encoded slash", "wiki.docs.acme.internal", "/docs/..%2fadmin", DOCS],
  ["dot-dot with an encoded backslash", "wiki.docs.acme.internal", "/docs/..%5cadmin", DOCS],
  // Envoy leaves this one alone; servlet containers serve it as "/admin".
  ["dot-dot with a path parameter", "wiki.docs.acme.internal", "/docs/..;/admin", DOCS],
  ["dot-dot in place of a * segment", "calendar.acme.internal", "/v1/calendars/../events", PLANNER],
  ["dot-dot under a * segment", "calendar.acme.internal", "/v1/calendars/team/../../admin/events", PLANNER],
];

describe("through the shipped Envoy config, path as is", () => {
  it("lets an honest catalog path through", async () => {
    const res = await rawRequest(stack.envoy.port, { method: "GET", host: "wiki.docs.acme.internal", path: "/docs/handbook", headers: DOCS });
    expect(res.status, res.body).toBe(200);
    expect(stack.upstream.received.at(-1)?.url).toBe("/docs/handbook");
  });

  it.each(traversals)("refuses %s (%s%s): not allowed as the catalog action, and the upstream never sees it", async (_name, host, path, agent) => {
    const before = stack.upstream.received.length;
    const res = await rawRequest(stack.envoy.port, { method: "GET", host, path, headers: agent });
    expect([400, 403], `${res.status} ${res.body}`).toContain(res.status);
    expect(stack.upstream.received.length).toBe(before);
  });
});

describe("straight over gRPC (a proxy that did not normalize)", () => {
  it.each(traversals)("answers %s (%s%s) with 400 invalid_request", async (_name, host, path, agent) => {
    const answer = await stack.check({ method: "GET", host, path, headers: agent });
    expect(answer.httpStatus).toBe("BadRequest");
    expect(answer.body).toMatchObject({ error: "invalid_request", rule_id: "aegis/invalid_request" });
  });

  it.each(["/docs/./handbook", "/docs/%2e/handbook", "/docs\\..\\admin", "/docs%2Fhandbook", "/docs/handbook%5C..%5Cadmin"])("answers %j with 400 invalid_request", async (path) => {
    const answer = await stack.check({ method: "GET", host: "wiki.docs.acme.internal", path, headers: DOCS });
    expect(answer.httpStatus).toBe("BadRequest");
  });

  it("still maps an honest path through the catalog", async () => {
    const answer = await stack.check({ method: "GET", host: "wiki.docs.acme.internal", path: "/docs/handbook?token=t", headers: DOCS });
    expect(answer.kind, JSON.stringify(answer.body)).toBe("ok");
  });
});
