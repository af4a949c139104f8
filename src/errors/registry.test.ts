import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../test/support/opa.ts";
import { ERROR_CODES } from "./registry.ts";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") && !path.endsWith(".test.ts") && !path.endsWith("registry.ts") ? [path] : [];
  });
}

const codes = Object.keys(ERROR_CODES);
const code = sources(join(REPO_ROOT, "src")).map((f) => readFileSync(f, "utf8")).join("\n");
const docs = readFileSync(join(REPO_ROOT, "docs", "errors.md"), "utf8");

describe("the error registry", () => {
  it("documents every code in docs/errors.md, and nothing else", () => {
    const documented = new Set(docs.match(/AEGIS_ERR_[A-Z_]+/g));
    expect([...documented].sort()).toEqual([...codes].sort());
  });

  it("has no code that nothing raises", () => {
    expect(codes.filter((c) => !code.includes(c))).toEqual([]);
  });

  it("is the only source of codes: every AEGIS_ERR_ in src is registered", () => {
    const used = new Set(code.match(/AEGIS_ERR_[A-Z_]+/g));
    expect([...used].filter((c) => !codes.includes(c))).toEqual([]);
  });

  it("uses snake-case codes with the AEGIS_ERR_ prefix and a message each", () => {
    for (const [c, message] of Object.entries(ERROR_CODES)) {
      expect(c).toMatch(/^AEGIS_ERR_[A-Z]+(_[A-Z]+)*$/);
      expect(message.length).toBeGreaterThan(10);
    }
  });
});
