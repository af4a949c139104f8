import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWasm, type RawWasmBuild } from "../../test/support/opa.ts";
import type { PolicyInput } from "../input/types.ts";
import { isAegisError } from "../errors/registry.ts";
import { createEngine } from "./create-engine.ts";
import { EngineHolder } from "./engine-holder.ts";
import type { Engine } from "./engine.ts";

const REGO = `package aegis

decision := {"outcome": outcome, "reason": "allowed", "rule_id": data.rule, "echo": input.params}

default outcome := "deny"

outcome := "allow" if input.params.n < data.limit
`;

const REGO_TRAP = `package aegis

decision := x if {
  x := {"a": 1}
}

decision := y if {
  y := {"b": input.params.n}
}
`;

function input(n: unknown): PolicyInput {
  return {
    tenant: "t", agent: "a", identity_source: "header", tool: "x", action: "y", params: { n },
    host: "h", method: "POST", path: "/", truncated_body: false,
    call_chain: { parent: null, depth: 0, verified: false, error: null }, budgets: {},
  };
}

let build: RawWasmBuild;
beforeAll(async () => {
  build = await buildWasm({ "p.rego": REGO }, { limit: 10, rule: "r1" }, ["aegis/decision"]);
});

describe.each([0, 2])("engine with %i worker threads", (workers) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine({ revision: "rev-1", wasm: build.wasm, dataJson: build.dataJson }, { workers });
  });
  afterAll(() => engine.close());

  it("evaluates the aegis/decision entrypoint against the bundle data", async () => {
    expect(await engine.evaluate(input(3))).toMatchObject({ outcome: "allow", rule_id: "r1", echo: { n: 3 } });
    expect(await engine.evaluate(input(30))).toMatchObject({ outcome: "deny" });
  });

  it("keeps answers matched to their requests under concurrency", async () => {
    const ns = Array.from({ length: 200 }, (_, i) => i);
    const results = await Promise.all(ns.map((n) => engine.evaluate(input(n))));
    results.forEach((r, i) => expect((r as { echo: { n: number } }).echo.n).toBe(i));
  });

  it("reports the revision it was built from", () => {
    expect(engine.revision).toBe("rev-1");
  });
});

describe("engine failures fail closed", () => {
  it("rejects a bundle without the aegis/decision entrypoint", async () => {
    const other = await buildWasm({ "p.rego": "package other\n\nx := input.a\n" }, {}, ["other/x"]);
    for (const workers of [0, 1]) {
      const err = await createEngine({ revision: "r", wasm: other.wasm, dataJson: other.dataJson }, { workers }).catch((e: unknown) => e);
      expect(isAegisError(err, "AEGIS_ERR_ENTRYPOINT_MISSING")).toBe(true);
    }
  });

  it("rejects bytes that are not WASM", async () => {
    const err = await createEngine({ revision: "r", wasm: new Uint8Array([1, 2, 3]), dataJson: build.dataJson }, { workers: 0 }).catch((e: unknown) => e);
    expect(isAegisError(err, "AEGIS_ERR_WASM_LOAD")).toBe(true);
  });

  it("turns a conflicting-values runtime error into an AegisError on both paths", async () => {
    const trap = await buildWasm({ "p.rego": REGO_TRAP }, {}, ["aegis/decision"]);
    for (const workers of [0, 1]) {
      const engine = await createEngine({ revision: "r", wasm: trap.wasm, dataJson: trap.dataJson }, { workers });
      const err = await engine.evaluate(input(1)).catch((e: unknown) => e);
      await engine.close();
      expect(isAegisError(err)).toBe(true);
    }
  });
});

describe("EngineHolder", () => {
  it("answers NO_BUNDLE before the first swap", async () => {
    const holder = new EngineHolder();
    const err = await holder.use((engine) => engine.evaluate(input(1))).catch((e: unknown) => e);
    expect(isAegisError(err, "AEGIS_ERR_NO_BUNDLE")).toBe(true);
  });

  it("finishes in-flight checks on the old engine and context, and closes it only after them", async () => {
    const holder = new EngineHolder<string>();
    const evaluate = () => holder.use(async (engine, context) => ({ value: await engine.evaluate(input(1)), context }));
    const events: string[] = [];
    let release: () => void = () => {};
    const slow: Engine = {
      revision: "old", loadedAt: new Date(),
      evaluate: () => new Promise((resolve) => { release = () => resolve("old-answer"); }),
      close: async () => { events.push("old closed"); },
    };
    const fast: Engine = { revision: "new", loadedAt: new Date(), evaluate: async () => "new-answer", close: async () => {} };
    holder.swap(slow, "old-context");
    const inFlight = evaluate();
    holder.swap(fast, "new-context");
    expect(await evaluate()).toEqual({ value: "new-answer", context: "new-context" });
    expect(events).toEqual([]);
    release();
    expect(await inFlight).toEqual({ value: "old-answer", context: "old-context" });
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(["old closed"]);
  });
});
