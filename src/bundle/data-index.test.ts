import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isAegisError } from "../errors/registry.ts";
import { indexData } from "./data-index.ts";
import { DataSlicer } from "./data-slice.ts";

type Json = unknown;
type Doc = { tenants: Record<string, Record<string, Json> & { agents: Record<string, Json> }> } & Record<string, Json>;

// Keys and strings that trip a naive scanner: quotes, braces, backslashes, escapes, non-ASCII.
const tricky = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ unit: "grapheme", maxLength: 4 }),
  fc.constantFrom('"', "\\", "{", "}", "[", "]", ":", ",", '\\"}', "agents", "tenants", "ä\u2028", "\u0000", "😀", "a\"b{c}", ""),
);
const jsonValue: fc.Arbitrary<Json> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, tricky, fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => x + 0) /* JSON writes -0 as 0 */, fc.boolean(), fc.constant(null), tie("array"), tie("object")),
  array: fc.array(tie("value"), { maxLength: 3 }),
  object: fc.dictionary(tricky, tie("value"), { maxKeys: 3 }),
})).value;
const jsonObject = fc.dictionary(tricky, jsonValue, { maxKeys: 4 });
const withoutKey = (key: string) => jsonObject.map((o) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key)));

const docArb: fc.Arbitrary<Doc> = fc
  .record({
    top: withoutKey("tenants"),
    tenants: fc.dictionary(tricky, fc.record({ rest: withoutKey("agents"), agents: fc.dictionary(tricky, jsonObject, { maxKeys: 5 }) }), { maxKeys: 4 }),
  })
  .map(({ top, tenants }) => ({
    ...top,
    tenants: Object.fromEntries(Object.entries(tenants).map(([name, t]) => [name, { ...t.rest, agents: t.agents }])),
  }) as Doc);

// Three spellings of the same document: compact, indented, and every non-ASCII character escaped.
const spellings = (doc: Doc): string[] => {
  const compact = JSON.stringify(doc);
  return [compact, JSON.stringify(doc, null, 2), compact.replace(/[^\x20-\x7e]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`)];
};
const encode = (text: string) => new TextEncoder().encode(text);
const parse = (bytes: Uint8Array | undefined): unknown => (bytes === undefined ? undefined : JSON.parse(new TextDecoder().decode(bytes)));

function expectedSlice(doc: Doc, tenant: string, agent: string): unknown {
  const { tenants, ...top } = doc;
  if (!Object.hasOwn(tenants, tenant)) return { ...top, tenants: {} };
  const t = tenants[tenant]!;
  return { ...top, tenants: { [tenant]: { ...t, agents: Object.hasOwn(t.agents, agent) ? { [agent]: t.agents[agent] } : {} } } };
}

describe("indexData + DataSlicer, for any data.json of the Aegis shape", () => {
  it("finds each tenant and agent exactly where JSON.parse does", () => {
    fc.assert(
      fc.property(docArb, (doc) => {
        for (const text of spellings(doc)) {
          const bytes = encode(text);
          const slicer = new DataSlicer(bytes, indexData(bytes));
          expect(slicer.whole).toBe(false);
          expect([...slicer.tenantNames()].sort()).toEqual(Object.keys(doc.tenants).sort());
          for (const [name, tenant] of Object.entries(doc.tenants)) {
            expect(parse(slicer.tenantJson(name))).toEqual({ ...tenant, agents: {} });
            expect([...slicer.agentNames(name)].sort()).toEqual(Object.keys(tenant.agents).sort());
            for (const [agent, value] of Object.entries(tenant.agents)) expect(parse(slicer.agentJson(name, agent))).toEqual(value);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("assembles each call's slice: the top-level keys, its tenant without other agents, its agent alone", () => {
    fc.assert(
      fc.property(docArb, tricky, tricky, (doc, strayTenant, strayAgent) => {
        const bytes = encode(spellings(doc)[1]!);
        const slicer = new DataSlicer(bytes, indexData(bytes));
        const calls: [string, string][] = [[strayTenant, strayAgent]];
        for (const [name, tenant] of Object.entries(doc.tenants)) {
          calls.push([name, strayAgent]);
          for (const agent of Object.keys(tenant.agents)) calls.push([name, agent]);
        }
        const ids = new Map<number, string>();
        for (const [tenant, agent] of calls) {
          const slice = slicer.slice(tenant, agent);
          const want = expectedSlice(doc, tenant, agent);
          expect(parse(slice.json)).toEqual(want);
          // Equal ids mean equal bytes: the engine reuses a parsed slice by its id.
          const seen = ids.get(slice.id);
          if (seen !== undefined) expect(new TextDecoder().decode(slice.json)).toBe(seen);
          ids.set(slice.id, new TextDecoder().decode(slice.json));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("indexData", () => {
  it("treats a document without the Aegis shape as one slice", () => {
    for (const text of ['{"limit": 10}', '{"tenants": []}', '{"tenants": {"t": 1}}', '{"tenants": {"t": {"agents": []}}}', '{"tenants": {"t": {}}}']) {
      const bytes = encode(text);
      const slicer = new DataSlicer(bytes, indexData(bytes));
      expect(slicer.whole, text).toBe(true);
      expect(parse(slicer.slice("t", "a").json)).toEqual(JSON.parse(text));
    }
  });

  it("refuses broken structure and duplicate tenants or agents", () => {
    for (const text of ["", "[]", '{"a": 1', '{"a" 1}', '{"a": "x}', '{"a": 1} x', '{"a": 1,}', '{"tenants": {"t": {"agents": {"a": {}, "a": {}}}}}', '{"tenants": {"t": {"agents": {}}, "t": {"agents": {}}}}', '{"tenants": {}, "tenants": {}}']) {
      let err: unknown;
      try {
        indexData(encode(text));
      } catch (e) {
        err = e;
      }
      expect(isAegisError(err, "AEGIS_ERR_BUNDLE_INVALID"), text).toBe(true);
    }
  });
});
