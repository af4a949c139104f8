// Differential test: the WASM engine and the real OPA interpreter (`opa eval`) must decide every
// generated input identically, on the same Rego and the same data. A mismatch is a bug in one of
// them (or in how we build the WASM), never noise.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import canonicalize from "canonicalize";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBundle } from "../../src/bundle/build.ts";
import { defaultRegoDir } from "../../src/bundle/library-dir.ts";
import { openBundleFile } from "../../src/engine/open-bundle.ts";
import type { Engine } from "../../src/engine/engine.ts";
import { compilePolicyDir } from "../../src/bundle/policy-dir.ts";
import { opaBinary, REPO_ROOT } from "../support/opa.ts";

const RUNS = Number(process.env.AEGIS_DIFFERENTIAL_RUNS ?? 10_000);

const amount = fc.oneof(
  fc.integer({ min: -10, max: 60_000 }),
  fc.double({ min: -1, max: 60_000, noNaN: true }),
  fc.constantFrom(0, 5000, 5000.01, 50_000, 50_000.5, 20_000),
  fc.constantFrom("100", "12.50", "5000", "5000.01", "", "1e3", "NaN", "Infinity", "-5", "0006000", " 12", "1.", ".5"),
  fc.constantFrom(true, false, null, {}, [], [1]),
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const inputArb = fc.record(
  {
    tenant: fc.oneof(fc.constantFrom("acme", "globex", ""), fc.constant(null)),
    agent: fc.oneof(fc.constantFrom("finance-agent", "docs-agent", "planner", "orchestrator", "nobody"), fc.constant(null)),
    identity_source: fc.constantFrom("jwt", "spiffe", "header", "none"),
    tool: fc.oneof(fc.constantFrom("stripe-payments", "doc-store", "calendar", "email"), fc.constant(null)),
    action: fc.oneof(fc.constantFrom("create_payment", "refund_payment", "read_document", "search_documents", "write_document", "list_events"), fc.constant(null)),
    params: fc.record({ amount: maybe(amount), ssn: maybe(fc.string()), id: maybe(fc.string()) }, { requiredKeys: [] }),
    host: fc.constantFrom("api.stripe.com", "wiki.docs.acme.internal", "a.b.docs.acme.internal", "docs.acme.internal", "evildocs.acme.internal", "calendar.acme.internal", "", "API.STRIPE.COM"),
    method: fc.constantFrom("GET", "POST"),
    path: fc.constantFrom("/", "/v1/payment_intents"),
    truncated_body: fc.boolean(),
    call_chain: fc.oneof(
      fc.constant({ parent: null, depth: 0, verified: false, error: null }),
      fc.record({
        parent: fc.constantFrom("orchestrator", "planner"),
        depth: fc.integer({ min: 1, max: 4 }),
        verified: fc.boolean(),
        error: fc.constantFrom(null, "attestation_missing", "attestation_expired"),
      }),
    ),
    budgets: fc.oneof(fc.constant({}), fc.record({ "daily-spend": fc.record({ spent: fc.oneof(fc.integer({ min: 0, max: 25_000 }), fc.constantFrom(15_000, 19_999.99, 20_000)) }) })),
  },
  { requiredKeys: ["params", "call_chain", "budgets"] },
);

// Half the inputs are coherent calls of the example agents, so every outcome is reached often;
// the other half mix fields freely, to probe the edges.
const coherentArb = fc
  .record({
    call: fc.constantFrom(
      { agent: "finance-agent", tool: "stripe-payments", action: "create_payment", host: "api.stripe.com" },
      { agent: "docs-agent", tool: "doc-store", action: "read_document", host: "wiki.docs.acme.internal" },
      { agent: "docs-agent", tool: "doc-store", action: "search_documents", host: "eu.wiki.docs.acme.internal" },
      { agent: "planner", tool: "calendar", action: "list_events", host: "calendar.acme.internal" },
    ),
    amount,
  })
  .chain(({ call, amount: value }) =>
    inputArb.map((base) => ({ ...base, tenant: "acme", ...call, params: { ...base.params, amount: value } })),
  );

// Parameter values on both sides of every rule kind of the research agent
// (policies/examples/research-agent/policy.yaml), and of the finance agent's currency enum.
const pathValue = fc.oneof(
  fc.constantFrom("/docs/a.md", "/docs", "/docs/", "docs/x", "/docs/a/../b", "//docs//a", "/../docs/a", "/./docs/x"),
  fc.constantFrom("/etc/passwd", "/docs/../etc", "/docs/../../x", "/docsx/a", "/docs%2f..%2fetc", "/docs/%2E%2E/x", "/docs\\..\\x", "/docs/\u0000", ""),
  fc.array(fc.constantFrom("docs", "..", ".", "", "a", "b"), { maxLength: 8 }).map((parts) => `/${parts.join("/")}`),
  fc.constant(`/docs/${"a/".repeat(70)}x`),
  fc.constantFrom(5, null, true, ["/docs/a"], { p: "/docs" }),
);
const urlValue = fc.oneof(
  fc.constantFrom("https://en.wikipedia.org/wiki/X", "http://de.wikipedia.org", "HTTPS://EN.WIKIPEDIA.ORG/", "https://en.wikipedia.org./", "https://en.wikipedia.org:443/", "http://a.b.wikipedia.org:80/?q#f", "https://en.wikipedia.org?x=1"),
  fc.constantFrom("https://wikipedia.org/", "https://evilwikipedia.org/", "https://en.wikipedia.org.evil.example/", "https://en.wikipedia.org@evil.example/", "https://u:p@en.wikipedia.org/", "https://en.wikipedia.org:8443/", "https://en.wikipedia.org:80/", "ftp://en.wikipedia.org/", "//en.wikipedia.org/", "https:/en.wikipedia.org", "https://en%2ewikipedia.org/", "http://[::1]/", "https://en.wikipedia.org/ x", "https://evil.example\\@en.wikipedia.org/", "javascript:alert(1)", ""),
  fc.webUrl(),
  fc.constantFrom(1, null, false, ["https://en.wikipedia.org/"]),
);
const numberValue = fc.oneof(fc.integer({ min: -5, max: 1_200_000 }), fc.constantFrom(0, 1, 1_000_000, 1_000_001, "1", "1000000", "1000000.5", "-1", "1e3", "", true, null, [5]));
const textValue = (limit: number) => fc.oneof(fc.string({ maxLength: limit + 2 }), fc.constant("x".repeat(limit)), fc.constant("x".repeat(limit + 1)), fc.constant("ä".repeat(limit)), fc.constantFrom(5, null, ["a"]));
const rare = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
const recipient = fc.constantFrom("ana@acme.com", "bo@ACME.internal", "eve@evil.example", "@acme.com", "a@b@acme.com", 5, ["ana@acme.com"]);
const docsParams = fc.record({ recipient: rare(recipient), recipients: rare(fc.array(recipient, { maxLength: 2 })), path: pathValue, query: rare(textValue(200)), format: rare(fc.constantFrom("markdown", "html", "pdf", "Markdown", 1, null)), labels: rare(fc.oneof(fc.array(fc.constantFrom("policy", "opa-1", "a", "Bad", "1x", "", "x".repeat(33), 7), { maxLength: 3 }), fc.constantFrom("policy", null, {}))) }, { requiredKeys: [] });
// web-fetch has additional_params: deny, so unnamed parameters (proxy) come rarely.
const fetchParams = fc.record({ url: urlValue, max_bytes: rare(numberValue), debug: rare(fc.constantFrom(false, true, null, "x")), proxy: rare(fc.constantFrom("http://p", "")) }, { requiredKeys: [] });
const otherParams = fc.record({ currency: fc.constantFrom("usd", "eur", "gbp", "USD", 1), ticket: fc.string(), credit: amount }, { requiredKeys: [] });
const callParams = (tool: string) => (tool === "docs-mcp" ? docsParams : tool === "web-fetch" ? fetchParams : otherParams);
const clock = fc.oneof(
  fc.record({ day: fc.constantFrom("mon", "fri", "sat", "sun", "Mon", "monday"), minute: fc.oneof(fc.integer({ min: 0, max: 1439 }), fc.constantFrom(479, 480, 719, 720, 779, 780, 1079, 1080), fc.constantFrom("600", null)) })
    .map((berlin) => ({ unix_ms: 0, zones: { "Europe/Berlin": berlin } })),
  fc.constantFrom(undefined, null, { zones: {} }, { zones: { UTC: { day: "mon", minute: 600 } } }, { zones: [] }),
);
const researchArb = fc
  .record({
    call: fc.constantFrom(
      { agent: "research-agent", tool: "docs-mcp", action: "read_document", host: "wiki.docs.acme.internal" },
      { agent: "research-agent", tool: "docs-mcp", action: "search_documents", host: "wiki.docs.acme.internal" },
      { agent: "research-agent", tool: "docs-mcp", action: "export_documents", host: "wiki.docs.acme.internal" },
      { agent: "research-agent", tool: "web-fetch", action: "fetch_page", host: "fetch.acme.internal" },
      { agent: "research-agent", tool: "docs-mcp", action: "share_document", host: "wiki.docs.acme.internal" },
      { agent: "support-agent", tool: "helpdesk-mcp", action: "issue_credit", host: "helpdesk.acme.internal" },
      { agent: "support-agent", tool: "helpdesk-mcp", action: "issue_refund", host: "helpdesk.acme.internal" },
      { agent: "support-agent", tool: "helpdesk-mcp", action: "close_ticket", host: "helpdesk.acme.internal" },
      { agent: "finance-agent", tool: "stripe-payments", action: "create_payment", host: "api.stripe.com" },
    ),
    amount: maybe(amount),
    now: clock,
  })
  .chain(({ call, amount: value, now }) =>
    fc.tuple(inputArb, callParams(call.tool)).map(([base, params]) => {
      const present = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
      // The amount only where an amount rule reads it (web-fetch would refuse it as unnamed).
      const withAmount = value === undefined || call.tool === "web-fetch" ? present : { ...present, amount: value };
      const input: Record<string, unknown> = { ...base, tenant: "acme", identity_source: "jwt", ...call, truncated_body: false, call_chain: { parent: null, depth: 0, verified: false, error: null }, params: withAmount };
      if (now !== undefined) input.now = now;
      return input;
    }),
  );

let dir: string;
let engine: Engine;
let dataFile: string;
let customDir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "aegis-diff-"));
  // With the custom Rego modules of policies/examples/custom, compiled into the same WASM.
  const compiled = await compilePolicyDir(join(REPO_ROOT, "policies", "examples"), defaultRegoDir());
  if (!compiled.ok) throw new Error("example policies do not compile");
  expect(compiled.custom.sources.length).toBeGreaterThan(0);
  const bundle = join(dir, "examples.tar.gz");
  await buildBundle({ data: compiled.data, regoDir: defaultRegoDir(), outFile: bundle, custom: compiled.custom });
  const opened = await openBundleFile(bundle);
  engine = opened.engine;
  // The oracle gets the very data.json and custom modules inside the bundle the engine runs.
  dataFile = join(dir, "data.json");
  writeFileSync(dataFile, opened.contents.dataJson);
  customDir = join(dir, "custom-rego");
  for (const [name, bytes] of opened.contents.files) {
    if (!name.startsWith("custom/") || !name.endsWith(".rego")) continue;
    mkdirSync(dirname(join(customDir, name)), { recursive: true });
    writeFileSync(join(customDir, name), bytes);
  }
});

afterAll(() => engine?.close());

/** Runs every input through the OPA interpreter in one process. */
function opaDecisions(inputs: readonly unknown[], data = dataFile): unknown[] {
  const inputFile = join(dir, "inputs.json");
  writeFileSync(inputFile, JSON.stringify({ cases: inputs }));
  // Keyed by index: an object comprehension makes the pairing of input and decision explicit.
  // With each decision, the parameter rules that broke and how: the generators must reach every kind.
  const query = "results := {sprintf(\"%d\", [i]): [d, v] | some i, c in input.cases; d := data.aegis.decision with input as c; v := data.aegis.params.violations with input as c}";
  const out = execFileSync(
    opaBinary(),
    ["eval", "--format", "json", "--ignore", "*_test.rego", "-d", defaultRegoDir(), "-d", customDir, "-d", data, "-i", inputFile, query],
    { maxBuffer: 1024 * 1024 * 1024, cwd: REPO_ROOT },
  );
  const parsed = JSON.parse(out.toString("utf8")) as { result: { bindings: { results: Record<string, unknown> } }[] };
  const byIndex = parsed.result[0]?.bindings.results ?? {};
  return inputs.map((_, i) => byIndex[String(i)]);
}

describe("WASM decisions equal the OPA interpreter's", () => {
  it(`on ${RUNS} generated inputs over the example policies`, async () => {
    const inputs = fc.sample(fc.oneof(inputArb, coherentArb, researchArb), { numRuns: RUNS, seed: 20261125 });
    const expected = opaDecisions(inputs);
    expect(expected).toHaveLength(inputs.length);
    const outcomes = new Map<string, number>();
    const brokenKinds = new Set<string>();
    const decidedBy = new Set<string>();
    const passed = new Set<string>();
    for (let i = 0; i < inputs.length; i++) {
      const actual = await engine.evaluate(inputs[i] as never);
      const [want, violations] = expected[i] as [{ outcome: string; reason: string; rule_id: string }, { kind: string }[]];
      for (const v of violations) brokenKinds.add(v.kind);
      decidedBy.add(`${want.reason} ${want.rule_id}`);
      // A parameter present in a call that was let through passed its rule.
      const call = inputs[i] as { action?: unknown; params?: Record<string, unknown> };
      if (want.outcome === "allow" || want.outcome === "sanitize") for (const name of Object.keys(call.params ?? {})) passed.add(`${String(call.action)}.${name}`);
      if (canonicalize(actual) !== canonicalize(want)) {
        throw new Error(`WASM and opa eval disagree on input #${i}:\n  input: ${JSON.stringify(inputs[i])}\n  wasm:  ${JSON.stringify(actual)}\n  opa:   ${JSON.stringify(want)}`);
      }
      outcomes.set(`${want.outcome}/${want.reason}`, (outcomes.get(`${want.outcome}/${want.reason}`) ?? 0) + 1);
    }
    // The generator must reach every outcome, or equality proves little.
    const reached = new Set([...outcomes.keys()].map((k) => k.split("/")[0]));
    expect([...reached].sort()).toEqual(["allow", "approval_needed", "deny", "sanitize"]);
    // Every kind of parameter rule breaks somewhere, and every rule decides a deny somewhere...
    expect([...brokenKinds].sort()).toEqual(["additional_params", "enum", "forbidden", "glob", "hosts", "max", "max_length", "min", "pattern", "required"]);
    const research = "acme/research-agent/allowed_tools";
    for (const id of [
      "docs-mcp/actions/read_document/params/path", "docs-mcp/params/query", "docs-mcp/params/format", "docs-mcp/params/labels[]",
      "web-fetch/params/url", "web-fetch/params/max_bytes", "web-fetch/params/debug", "web-fetch/additional_params",
    ]) expect(decidedBy, id).toContain(`param_not_allowed ${research}/${id}`);
    expect(decidedBy).toContain("param_not_allowed acme/finance-agent/allowed_tools/stripe-payments/params/currency");
    expect(decidedBy).toContain(`outside_schedule ${research}/docs-mcp/actions/export_documents/schedule`);
    // The custom modules decide too: a deny of each, their approval band and their redact set.
    for (const decided of ["custom:credit_cap custom/credit-band.rego:28", "custom:credit_invalid custom/credit-band.rego:23", "approval_needed custom/credit-band.rego:33", "custom:recipient_domain custom/domain-allowlist.rego:32", "custom:recipient_missing custom/domain-allowlist.rego:37", "sanitized custom/domain-allowlist.rego:42"]) {
      expect(decidedBy, decided).toContain(decided);
    }
    // ...and every action with rules is also let through, its present parameters passing.
    for (const id of ["docs-mcp/actions/read_document", "docs-mcp/actions", "docs-mcp/actions/export_documents", "web-fetch/actions"]) {
      expect(decidedBy, id).toContain(`allowed ${research}/${id}`);
    }
    for (const param of ["read_document.path", "read_document.query", "search_documents.format", "search_documents.labels", "fetch_page.url", "fetch_page.max_bytes", "create_payment.currency", "share_document.recipient"]) {
      expect(passed, param).toContain(param);
    }
  }, 600_000);

  it("honours the data set at load, not data folded in at build time", async () => {
    const data = JSON.parse(readFileSync(dataFile, "utf8")) as { tenants: { acme: { agents: Record<string, unknown> } } };
    const wasm = (await openBundleFile(join(dir, "examples.tar.gz"))).contents.wasm;
    expect(Buffer.from(wasm).includes(Buffer.from("finance-agent"))).toBe(false);
    delete data.tenants.acme.agents["planner"];
    const { createEngine } = await import("../../src/engine/create-engine.ts");
    const altered = await createEngine({ revision: "altered", wasm, dataJson: Buffer.from(JSON.stringify(data)) }, { workers: 0 });
    const planner = { tenant: "acme", agent: "planner", identity_source: "header", tool: "calendar", action: "list_events", params: {}, host: "calendar.acme.internal", method: "GET", path: "/", truncated_body: false, call_chain: { parent: null, depth: 0, verified: false, error: null }, budgets: {} } as const;
    expect(await engine.evaluate(planner)).toMatchObject({ outcome: "allow" });
    expect(await altered.evaluate(planner)).toMatchObject({ outcome: "deny", reason: "unknown_agent" });
    await altered.close();
  });
});

// The same comparison over a fleet: 10 tenants each holding many copies of the example agents, so
// the engine's per-call slice of data.json (one tenant, one agent) is what is under test, against
// OPA over the whole document.
const FLEET_TENANTS = 10;
const FLEET_AGENTS = Number(process.env.AEGIS_DIFFERENTIAL_FLEET_AGENTS ?? 10_000);

describe("WASM decisions over a sliced fleet (data.json in compressed blocks) equal the OPA interpreter's over the whole data", () => {
  let fleet: Engine;
  let fleetData: string;
  let copies: number;

  beforeAll(async () => {
    const data = JSON.parse(readFileSync(dataFile, "utf8")) as { tenants: Record<string, { agents: Record<string, unknown> }> };
    const acme = data.tenants.acme!;
    const originals = Object.entries(acme.agents);
    copies = Math.max(1, Math.ceil(FLEET_AGENTS / FLEET_TENANTS / originals.length) - 1);
    const tenants: Record<string, unknown> = {};
    for (let t = 0; t < FLEET_TENANTS; t++) {
      const agents: Record<string, unknown> = {};
      for (const [name, agent] of originals) {
        agents[name] = agent;
        for (let k = 0; k < copies; k++) agents[`${name}-${k}`] = agent;
      }
      tenants[t === 0 ? "acme" : `fleet-${t}`] = { ...acme, agents };
    }
    const wasm = (await openBundleFile(join(dir, "examples.tar.gz"))).contents.wasm;
    fleetData = join(dir, "fleet-data.json");
    writeFileSync(fleetData, JSON.stringify({ ...data, tenants }));
    const { createEngine } = await import("../../src/engine/create-engine.ts");
    const { blockReader, compressDataBlocks } = await import("../../src/bundle/data-blocks.ts");
    const { indexData } = await import("../../src/bundle/data-index.ts");
    // As aegis serve holds it: data.json in compressed blocks (small ones here, so calls miss the block cache).
    const raw = readFileSync(fleetData);
    const dataIndex = indexData(raw);
    fleet = await createEngine({ revision: "fleet", wasm, dataJson: blockReader(compressDataBlocks(raw, dataIndex, 4096), 4), dataIndex }, { workers: 0 });
  }, 120_000);

  afterAll(() => fleet?.close());

  it(`on ${RUNS} generated inputs spread over ${FLEET_TENANTS} tenants and ${FLEET_AGENTS}+ agents`, async () => {
    const spread = fc.tuple(fc.oneof(inputArb, coherentArb, researchArb), fc.nat(FLEET_TENANTS - 1), fc.integer({ min: -1, max: copies }))
      .map(([input, t, k]) => {
        const call = input as Record<string, unknown>;
        const tenant = call.tenant === "acme" && t > 0 ? `fleet-${t}` : call.tenant;
        // k === copies names a copy no tenant has: an unknown agent of a known tenant.
        const agent = typeof call.agent === "string" && k >= 0 ? `${call.agent}-${k}` : call.agent;
        return { ...call, tenant, agent };
      });
    const inputs = fc.sample(spread, { numRuns: RUNS, seed: 20261201 });
    const expected = opaDecisions(inputs, fleetData);
    const outcomes = new Set<string>();
    for (let i = 0; i < inputs.length; i++) {
      const actual = await fleet.evaluate(inputs[i] as never);
      const [want] = expected[i] as [{ outcome: string; reason: string }];
      if (canonicalize(actual) !== canonicalize(want)) {
        throw new Error(`sliced WASM and opa eval over the whole fleet disagree on input #${i}:\n  input: ${JSON.stringify(inputs[i])}\n  wasm:  ${JSON.stringify(actual)}\n  opa:   ${JSON.stringify(want)}`);
      }
      outcomes.add(`${want.outcome}/${want.reason}`);
    }
    expect([...new Set([...outcomes].map((o) => o.split("/")[0]))].sort()).toEqual(["allow", "approval_needed", "deny", "sanitize"]);
    expect(outcomes).toContain("deny/unknown_agent");
  }, 900_000);
});
