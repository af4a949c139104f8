// The Check cost of an MCP tools/call against a plain JSON call: node bench/mcp/run.ts [--checks N] [--runs R]
//
// Both go through the server's own Check pipeline (src/authz/pipeline.ts: request facts, identity,
// MCP reading or plain body parsing, WASM evaluation, the answer), in process on one thread, on
// bench/mcp/mcp-policies: the same create_payment of 150 with the same conditions, once as a JSON
// POST whose route names the action, once as an MCP tools/call (with Mcp-* headers and _meta);
// both allowed, neither with budgets. The
// figure is CPU time per check (process.cpuUsage), which other load on the machine disturbs far
// less than wall time; wall-clock percentiles are printed beside it. No gRPC, no decision log.
import { join } from "node:path";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { NO_OBSERVER } from "../../src/authz/check-event.ts";
import { NO_OVERRIDE_TOKENS } from "../../src/authz/host-approvals.ts";
import { createCheckPipeline, NO_APPROVALS } from "../../src/authz/pipeline.ts";
import { createPolicyContext, type PolicyContext } from "../../src/authz/policy-context.ts";
import { bundleForBench } from "../lib/bundle-for-bench.ts";
import { createEngine } from "../../src/engine/create-engine.ts";
import { EngineHolder } from "../../src/engine/engine-holder.ts";
import type { CheckRequest } from "../../src/grpc/ext-authz-types.ts";
import { createIdentityResolver } from "../../src/identity/resolve-identity.ts";
import { checkRequest } from "../../test/support/check-request-builder.ts";
import { REPO_ROOT } from "../lib/repo-paths.ts";
import { openStateStore } from "../../src/state/open-state-store.ts";

const { values } = parseArgs({ options: { checks: { type: "string", default: "20000" }, runs: { type: "string", default: "5" } } });
const checks = Number(values.checks);
const runs = Number(values.runs);

const plainBody = JSON.stringify({ amount: 150, currency: "usd" });
const mcpBody = JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "create_payment", arguments: { amount: 150, currency: "usd" }, _meta: { progressToken: 7 } } });
const REQUESTS: Record<string, CheckRequest> = {
  "plain JSON (payments-api)": checkRequest({
    method: "POST", host: "api.payments.acme.internal", path: "/v1/payments", body: plainBody,
    headers: { "content-type": "application/json", "content-length": String(plainBody.length), "x-aegis-tenant": "acme", "x-aegis-agent": "plain-agent" },
    contextExtensions: { tool: "payments-api", action: "create_payment" },
  }),
  "MCP tools/call (payments-mcp)": checkRequest({
    method: "POST", host: "mcp.acme.internal", path: "/mcp", body: mcpBody,
    headers: {
      "content-type": "application/json", accept: "application/json, text/event-stream", "content-length": String(mcpBody.length),
      "mcp-protocol-version": "2025-11-25", "mcp-session-id": "3f2b9c1e-7a4d-4e8b-9c2a-1d5e6f7a8b9c", "mcp-method": "tools/call", "mcp-name": "create_payment",
      "x-aegis-tenant": "acme", "x-aegis-agent": "mcp-agent",
    },
    contextExtensions: { tool: "payments-mcp", protocol: "mcp" },
  }),
};

async function main(): Promise<void> {
  const { contents } = await bundleForBench(undefined, join(REPO_ROOT, "bench", "mcp", "mcp-policies"));
  const holder = new EngineHolder<PolicyContext>();
  holder.swap(await createEngine({ revision: "bench", wasm: contents.wasm, dataJson: contents.dataJson, dataIndex: contents.dataIndex }, { workers: 0 }), createPolicyContext("bench", contents));
  const store = await openStateStore("sqlite::memory:");
  const check = createCheckPipeline({
    decider: holder, budgets: store.budgets, approvals: NO_APPROVALS, tokens: NO_OVERRIDE_TOKENS, standing: null,
    identity: createIdentityResolver({ trustIdentityHeaders: true }),
    callChain: async () => ({ parent: null, depth: 0, verified: false, error: null }),
    limits: { maxBodyBytes: 65536, maxParams: 256, maxDepth: 16 },
    shadowGlobal: false,
    observer: NO_OBSERVER,
  });
  for (const request of Object.values(REQUESTS)) {
    const answer = (await check(request)).response;
    if (answer.http_response !== "ok_response") throw new Error(`expected an allow, got ${JSON.stringify(answer)}`);
  }

  const cpu: Record<string, number[]> = {};
  const wall: Record<string, number[]> = {};
  for (let run = 0; run < runs; run++) {
    // Alternate the order per run so drift on the machine hits both alike.
    const names = Object.keys(REQUESTS);
    for (const name of run % 2 === 0 ? names : names.reverse()) {
      const request = REQUESTS[name]!;
      for (let i = 0; i < 2000; i++) await check(request);
      const times: number[] = [];
      const before = process.cpuUsage();
      for (let i = 0; i < checks; i++) {
        const t0 = performance.now();
        await check(request);
        times.push(performance.now() - t0);
      }
      const used = process.cpuUsage(before);
      (cpu[name] ??= []).push(((used.user + used.system) / checks));
      times.sort((a, b) => a - b);
      (wall[name] ??= []).push(times[Math.floor(times.length / 2)]! * 1000, times[Math.floor(times.length * 0.99)]! * 1000);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`${checks} checks × ${runs} runs per request, in process, engine on the calling thread`);
  console.log("request                          CPU µs/check (median; min–max)   wall p50 µs   wall p99 µs");
  for (const name of Object.keys(REQUESTS)) {
    const c = cpu[name]!;
    const p50 = median(wall[name]!.filter((_, i) => i % 2 === 0));
    const p99 = median(wall[name]!.filter((_, i) => i % 2 === 1));
    console.log(`${name.padEnd(32)} ${median(c).toFixed(1).padStart(8)} (${Math.min(...c).toFixed(1)}–${Math.max(...c).toFixed(1)})      ${p50.toFixed(1).padStart(8)}      ${p99.toFixed(1).padStart(8)}`);
  }
  const [plain, mcp] = Object.keys(REQUESTS).map((n) => median(cpu[n]!));
  console.log(`MCP ÷ plain CPU per check: ${(mcp! / plain!).toFixed(2)}×`);
  await holder.close();
  await store.close();
}

await main();
