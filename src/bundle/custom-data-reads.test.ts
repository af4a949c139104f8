import { describe, expect, it } from "vitest";
import { sliceLeaks } from "./custom-data-reads.ts";

const v = (value: string) => ({ type: "var", value });
const s = (value: string) => ({ type: "string", value });
const ref = (...value: object[]) => ({ type: "ref", value });

/** `opa parse --format json` of a module whose one rule compares `read` with "shadow". */
function moduleReading(read: object, imports: object[] = [], modifiers: object[] = []): Record<string, unknown> {
  const expr = { index: 0, terms: [ref(v("equal")), read, s("shadow")], ...(modifiers.length > 0 ? { with: modifiers } : {}) };
  return { imports, rules: [{ body: [expr], head: { name: "deny", key: s("x"), ref: [v("deny")] } }] };
}
const agentMode = ref(v("data"), s("aegis"), s("identity"), s("agent_config"), s("mode"));

describe("sliceLeaks", () => {
  it("refuses data.tenants read through an alias of the whole of data (import data as d)", () => {
    const ast = moduleReading(ref(v("d"), s("tenants"), s("other"), s("agents"), s("bob"), s("mode")), [{ alias: "d", path: ref(v("data")) }]);
    expect(sliceLeaks(ast).map((l) => l.message)).toEqual([expect.stringMatching(/reads `data\.tenants`/)]);
  });

  it("refuses the whole of data read through its alias", () => {
    const ast = moduleReading(ref(v("d")), [{ alias: "d", path: ref(v("data")) }]);
    expect(sliceLeaks(ast).map((l) => l.message)).toEqual([expect.stringMatching(/whole of `data`/)]);
  });

  it("lets the caller's agent_config be read through an alias of data", () => {
    const ast = moduleReading(ref(v("d"), s("aegis"), s("identity"), s("agent_config"), s("mode")), [{ alias: "d", path: ref(v("data")) }]);
    expect(sliceLeaks(ast)).toEqual([]);
  });

  // `agent_config with input.agent as "bob"` is bob's config under OPA, and undefined under Aegis.
  it.each([
    ["input.agent", ref(v("input"), s("agent"))],
    ["input.tenant", ref(v("input"), s("tenant"))],
    ["the whole input", ref(v("input"))],
    ["data.aegis.request.agent", ref(v("data"), s("aegis"), s("request"), s("agent"))],
    ["data.aegis.request through its import", ref(v("request"), s("tenant"))],
  ])("refuses a with that renames the caller: %s", (_name, target) => {
    const ast = moduleReading(agentMode, [{ path: ref(v("data"), s("aegis"), s("request")) }], [{ target, value: s("bob") }]);
    expect(sliceLeaks(ast).map((l) => l.message)).toEqual([expect.stringMatching(/replaces `.*` with `with`/)]);
  });

  it("lets a with replace what does not name the caller (input.params)", () => {
    const ast = moduleReading(agentMode, [], [{ target: ref(v("input"), s("params")), value: { type: "object", value: [] } }]);
    expect(sliceLeaks(ast)).toEqual([]);
  });
});
