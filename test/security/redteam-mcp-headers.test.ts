// Attack: MCP Streamable HTTP requests may carry Mcp-Method / Mcp-Name headers, which gateways
// and servers can route on without reading the body. SPEC §7: when present they must match the
// body, else invalid_request. Aegis ignored them, so a tools/call of the allowed read_document
// with `Mcp-Name: export_documents` (or `Mcp-Method: tools/list`) was allowed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInputPathsStack, type InputPathsStack } from "./input-paths-stack.ts";

const RESEARCH = { "x-aegis-tenant": "acme", "x-aegis-agent": "research-agent", "content-type": "application/json" } as const;
const READ = JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "read_document", arguments: { path: "/docs/handbook" } } });
const call = (headers: Record<string, string>, body = READ) => ({ method: "POST", host: "wiki.docs.acme.internal", path: "/mcp", headers: { ...RESEARCH, ...headers }, body });

let stack: InputPathsStack;
beforeAll(async () => {
  stack = await startInputPathsStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe("Mcp-Method / Mcp-Name headers over gRPC", () => {
  it("allows the call when the headers match the body, or are absent", async () => {
    for (const headers of [{} as Record<string, string>, { "mcp-method": "tools/call", "mcp-name": "read_document" }]) {
      const answer = await stack.check(call(headers));
      expect(answer.httpStatus, JSON.stringify(answer.body)).toBeNull();
    }
  });

  it.each([
    ["an Mcp-Name naming another tool", { "mcp-method": "tools/call", "mcp-name": "export_documents" }],
    ["an Mcp-Name alone", { "mcp-name": "share_document" }],
    ["an Mcp-Method naming another method", { "mcp-method": "tools/list" }],
    ["an Mcp-Method in another case", { "mcp-method": "Tools/Call" }],
  ])("answers %s with 400 invalid_request", async (_name, headers) => {
    const answer = await stack.check(call(headers));
    expect(answer.httpStatus).toBe("BadRequest");
    expect(answer.body).toMatchObject({ error: "invalid_request" });
  });

  it("refuses an Mcp-Method header on a request without a JSON body", async () => {
    const answer = await stack.check({ ...call({ "mcp-method": "tools/call" }), body: "" });
    expect(answer.httpStatus).toBe("BadRequest");
  });
});
