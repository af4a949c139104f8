// Differential test: the WASM engine and the real OPA interpreter (`opa eval`) must decide every
// generated input identically, on the same Rego and the same data. A mismatch is a bug in one of
// them (or in how we build the WASM), never noise.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import canonicalize from "canonicalize";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBundle } from "../../src/bundle/build.ts";
import { defaultRegoDir } from "../../src/bundle/library-dir.ts";
import { openBundleFile } from "../../src/engine/open-bundle.ts";
import type { Engine } from "../../src/engine/engine.ts";
import { compilePolicies } from "../../src/policy/index.ts";
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

let dir: string;
let engine: Engine;
let dataFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "aegis-diff-"));
  const compiled = await compilePolicies(join(REPO_ROOT, "policies", "examples"));
  if (!compiled.ok) throw new Error("example policies do not compile");
  const bundle = join(dir, "examples.tar.gz");
  await buildBundle({ data: compiled.data, regoDir: defaultRegoDir(), outFile: bundle });
  const opened = await openBundleFile(bundle);
  engine = opened.engine;
  // The oracle gets the very data.json inside the bundle the engine runs.
  dataFile = join(dir, "data.json");
  writeFileSync(dataFile, opened.contents.dataJson);
});

afterAll(() => engine?.close());

/** Runs every input through the OPA interpreter in one process. */
function opaDecisions(inputs: readonly unknown[]): unknown[] {
  const inputFile = join(dir, "inputs.json");
  writeFileSync(inputFile, JSON.stringify({ cases: inputs }));
  // Keyed by index: an object comprehension makes the pairing of input and decision explicit.
  const query = "results := {sprintf(\"%d\", [i]): d | some i, c in input.cases; d := data.aegis.decision with input as c}";
  const out = execFileSync(
    opaBinary(),
    ["eval", "--format", "json", "--ignore", "*_test.rego", "-d", defaultRegoDir(), "-d", dataFile, "-i", inputFile, query],
    { maxBuffer: 1024 * 1024 * 1024, cwd: REPO_ROOT },
  );
  const parsed = JSON.parse(out.toString("utf8")) as { result: { bindings: { results: Record<string, unknown> } }[] };
  const byIndex = parsed.result[0]?.bindings.results ?? {};
  return inputs.map((_, i) => byIndex[String(i)]);
}

describe("WASM decisions equal the OPA interpreter's", () => {
  it(`on ${RUNS} generated inputs over the example policies`, async () => {
    const inputs = fc.sample(fc.oneof(inputArb, coherentArb), { numRuns: RUNS, seed: 20261125 });
    const expected = opaDecisions(inputs);
    expect(expected).toHaveLength(inputs.length);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < inputs.length; i++) {
      const actual = await engine.evaluate(inputs[i] as never);
      const want = expected[i] as { outcome: string; reason: string };
      if (canonicalize(actual) !== canonicalize(want)) {
        throw new Error(`WASM and opa eval disagree on input #${i}:\n  input: ${JSON.stringify(inputs[i])}\n  wasm:  ${JSON.stringify(actual)}\n  opa:   ${JSON.stringify(want)}`);
      }
      outcomes.set(`${want.outcome}/${want.reason}`, (outcomes.get(`${want.outcome}/${want.reason}`) ?? 0) + 1);
    }
    // The generator must reach every outcome, or equality proves little.
    const reached = new Set([...outcomes.keys()].map((k) => k.split("/")[0]));
    expect([...reached].sort()).toEqual(["allow", "approval_needed", "deny", "sanitize"]);
  }, 300_000);

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
