import { describe, expect, it } from "vitest";
import { contentRevision } from "./revision.ts";

const rego = (name: string, text: string) => ({ name, bytes: new TextEncoder().encode(text) });
const base = { data: { tenants: { acme: { mode: "enforce" } }, aegis_meta: { format: 1 } }, files: [rego("aegis/a.rego", "package a")] };

describe("contentRevision", () => {
  it("is 16 hex digits and stable for the same inputs", () => {
    const first = contentRevision(base.data, base.files);
    expect(first).toMatch(/^[0-9a-f]{16}$/);
    expect(contentRevision(structuredClone(base.data), [rego("aegis/a.rego", "package a")])).toBe(first);
  });

  it("does not depend on key order or file order", () => {
    const reordered = { aegis_meta: { format: 1 }, tenants: { acme: { mode: "enforce" } } };
    const files = [rego("aegis/b.rego", "package b"), rego("aegis/a.rego", "package a")];
    expect(contentRevision(reordered, files)).toBe(contentRevision(base.data, [...files].reverse()));
  });

  it.each([
    ["a data value", { ...base.data, tenants: { acme: { mode: "shadow" } } }, base.files],
    ["a Rego file's content", base.data, [rego("aegis/a.rego", "package a\n")]],
    ["a Rego file's name", base.data, [rego("aegis/b.rego", "package a")]],
    ["an added Rego file", base.data, [...base.files, rego("aegis/c.rego", "package c")]],
  ])("changes with %s", (_name, data, files) => {
    expect(contentRevision(data, files)).not.toBe(contentRevision(base.data, base.files));
  });
});
