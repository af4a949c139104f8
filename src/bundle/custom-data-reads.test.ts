import { describe, expect, it } from "vitest";
import { sliceLeaks } from "./custom-data-reads.ts";

const v = (value: string) => ({ type: "var", value });
const s = (value: string) => ({ type: "string", value });
const ref = (...value: object[]) => ({ type: "ref", value });

/** `opa parse --format json` of a module whose one rule compares `read` with "shadow". */
function moduleReading(read: object, imports: object[] = []): Record<string, unknown> {
  return {
    imports,
    rules: [{ body: [{ index: 0, terms: [ref(v("equal")), read, s("shadow")] }], head: { name: "deny", key: s("x"), ref: [v("deny")] } }],
  };
}

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
});
