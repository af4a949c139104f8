import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { blockReader, compressDataBlocks } from "./data-blocks.ts";
import { indexData } from "./data-index.ts";
import { DataSlicer } from "./data-slice.ts";

// Names and values that trip a scanner or a block cut: quotes, braces, escapes, non-ASCII.
const tricky = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('"', "\\", "{", "}", "agents", "tenants", "ä\u2028", "😀", "a\"b{c}", ""));
const agentArb = fc.dictionary(tricky, fc.oneof(tricky, fc.integer(), fc.array(tricky, { maxLength: 30 })), { maxKeys: 4 });
const docArb = fc.record({
  top: fc.dictionary(tricky.filter((k) => k !== "tenants"), tricky, { maxKeys: 3 }),
  tenants: fc.dictionary(tricky, fc.record({
    rest: fc.dictionary(tricky.filter((k) => k !== "agents"), fc.array(tricky, { maxLength: 20 }), { maxKeys: 2 }),
    agents: fc.dictionary(tricky, agentArb, { maxKeys: 8 }),
  }), { maxKeys: 4 }),
}).map(({ top, tenants }) => ({ ...top, tenants: Object.fromEntries(Object.entries(tenants).map(([n, t]) => [n, { ...t.rest, agents: t.agents }])) }));

const encode = (text: string) => new TextEncoder().encode(text);
const settings = fc.record({ blockBytes: fc.integer({ min: 1, max: 400 }), cache: fc.integer({ min: 1, max: 4 }), indent: fc.constantFrom(0, 2) });

describe("data.json in compressed blocks", () => {
  it("gives every call the same slice bytes as the raw data.json, whatever the block size and cache", () => {
    fc.assert(fc.property(docArb, settings, fc.array(fc.tuple(tricky, tricky), { maxLength: 6 }), (doc, { blockBytes, cache, indent }, misses) => {
      const bytes = encode(JSON.stringify(doc, null, indent));
      const index = indexData(bytes);
      const raw = new DataSlicer(bytes, index);
      const compressed = new DataSlicer(blockReader(compressDataBlocks(bytes, index, blockBytes), cache), index);
      const calls: [string, string][] = [...misses];
      for (const [tenant, t] of Object.entries(doc.tenants)) for (const agent of Object.keys(t.agents)) calls.push([tenant, agent], [tenant, `${agent}?`]);
      // Twice, so the second round reads blocks the first one cached or evicted.
      for (const [tenant, agent] of [...calls, ...calls.reverse()]) {
        const want = raw.slice(tenant, agent);
        const got = compressed.slice(tenant, agent);
        expect(got.id).toBe(want.id);
        expect(Buffer.from(got.json).equals(Buffer.from(want.json))).toBe(true);
        expect(compressed.agentJson(tenant, agent)).toEqual(raw.agentJson(tenant, agent));
        expect(compressed.tenantJson(tenant)).toEqual(raw.tenantJson(tenant));
      }
      expect(compressed.topJson()).toEqual(raw.topJson());
    }), { numRuns: 150 });
  });

  it("reads any byte range, across block edges, the whole document included", () => {
    fc.assert(fc.property(docArb, fc.integer({ min: 1, max: 300 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 10 }), (doc, blockBytes, ranges) => {
      const bytes = encode(JSON.stringify(doc));
      const reader = blockReader(compressDataBlocks(bytes, indexData(bytes), blockBytes), 2);
      for (const [a, b] of ranges) {
        const start = a % (bytes.length + 1);
        const end = start + (b % (bytes.length - start + 1));
        expect(Buffer.from(reader.read(start, end)).equals(Buffer.from(bytes.subarray(start, end)))).toBe(true);
      }
      expect(Buffer.from(reader.read(0, bytes.length)).equals(Buffer.from(bytes))).toBe(true);
    }), { numRuns: 150 });
  });

  it("keeps each agent inside one block", () => {
    const agents = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`agent-${i}`, { tools: { t: { pad: "x".repeat(i * 7) } } }]));
    const bytes = encode(JSON.stringify({ tenants: { acme: { agents } } }));
    const index = indexData(bytes);
    const blocks = compressDataBlocks(bytes, index, 1024);
    expect(blocks.compressedEnds.length).toBeGreaterThan(10);
    const r = index.tenants![0]!.agentRanges;
    for (let i = 0; i < r.length; i += 4) {
      const blockOf = (at: number) => blocks.rawStarts.findLastIndex((s) => s <= at);
      expect(blockOf(r[i + 3]! - 1)).toBe(blockOf(r[i]!));
    }
  });
});
