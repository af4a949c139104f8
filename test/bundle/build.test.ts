// buildBundle against the real `opa build -t wasm` (AEGIS_OPA, set by scripts/env.sh).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { buildBundle } from "../../src/bundle/build.ts";
import { AEGIS_METADATA } from "../../src/bundle/manifest.ts";
import { readBundle } from "../../src/bundle/read.ts";
import { isAegisError, type ErrorCode } from "../../src/errors/registry.ts";
import { compilePolicies } from "../../src/policy/index.ts";
import { opaBinary } from "../support/opa.ts";
import { run, tempDir } from "./helpers.ts";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}/aegis`, import.meta.url));
const MINIMAL = fixture("minimal");
const SYNTAX_ERROR = fixture("syntax-error");
const DATA = { aegis_meta: { format: 1 }, tenants: { acme: { agents: { "finance-agent": {} } } } };
const tmp = tempDir();
afterAll(tmp.cleanup);
const out = (name: string) => join(tmp.dir, name);

async function buildError(options: Parameters<typeof buildBundle>[0]): Promise<{ code: ErrorCode; message: string }> {
  try {
    await buildBundle(options);
  } catch (err) {
    if (isAegisError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error("buildBundle succeeded");
}

describe("buildBundle", () => {
  it("writes policy.wasm, data.json, the Rego sources (no tests) and a manifest with revision, roots, entrypoint and Aegis metadata", async () => {
    const result = await buildBundle({ data: DATA, regoDir: MINIMAL, outFile: out("a.tar.gz") });
    expect(result.outFile).toBe(out("a.tar.gz"));
    const contents = await readBundle(readFileSync(result.outFile));
    expect([...contents.files.keys()].sort()).toEqual([".manifest", "aegis/decision.rego", "data.json", "policy.wasm"]);
    expect(JSON.parse(Buffer.from(contents.dataJson).toString("utf8"))).toEqual(DATA);
    expect(contents.wasm.subarray(0, 4)).toEqual(new Uint8Array([0, 0x61, 0x73, 0x6d]));
    expect(contents.manifest).toEqual({
      revision: result.revision,
      roots: ["aegis", "aegis_meta", "tenants"],
      wasm: [{ entrypoint: "aegis/decision", module: "/policy.wasm" }],
      rego_version: 1,
      metadata: { aegis: AEGIS_METADATA },
    });
    expect(contents.signatures).toBeNull();
  });

  it("gives the same revision and the same bytes for the same inputs", async () => {
    const a = await buildBundle({ data: DATA, regoDir: MINIMAL, outFile: out("same-1.tar.gz") });
    const b = await buildBundle({ data: structuredClone(DATA), regoDir: MINIMAL, outFile: out("same-2.tar.gz") });
    expect(b.revision).toBe(a.revision);
    expect(readFileSync(b.outFile)).toEqual(readFileSync(a.outFile));
  });

  it("gives a different revision for different data", async () => {
    const a = await buildBundle({ data: DATA, regoDir: MINIMAL, outFile: out("d-1.tar.gz") });
    const b = await buildBundle({ data: { ...DATA, tenants: { beta: { agents: {} } } }, regoDir: MINIMAL, outFile: out("d-2.tar.gz") });
    expect(b.revision).not.toBe(a.revision);
  });

  it("uses an explicit revision", async () => {
    const result = await buildBundle({ data: DATA, regoDir: MINIMAL, outFile: out("explicit.tar.gz"), revision: "v2026.1" });
    expect(result.revision).toBe("v2026.1");
    expect((await readBundle(readFileSync(result.outFile))).manifest.revision).toBe("v2026.1");
  });

  it("fails with opa's message on a Rego syntax error and leaves no output file, not even a temp file", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const error = await buildError({ data: DATA, regoDir: SYNTAX_ERROR, outFile: join(dir, "bad.tar.gz") });
      expect(error.code).toBe("AEGIS_ERR_OPA_BUILD");
      expect(error.message).toMatch(/rego_parse_error/);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      cleanup();
    }
  });

  it("keeps an existing bundle untouched when a rebuild fails", async () => {
    const target = out("keep.tar.gz");
    await buildBundle({ data: DATA, regoDir: MINIMAL, outFile: target });
    const before = readFileSync(target);
    await buildError({ data: DATA, regoDir: SYNTAX_ERROR, outFile: target });
    expect(readFileSync(target)).toEqual(before);
  });

  it("reports a missing OPA binary as AEGIS_ERR_OPA_NOT_FOUND", async () => {
    const saved = process.env.AEGIS_OPA;
    process.env.AEGIS_OPA = join(tmp.dir, "no-such-opa");
    try {
      expect((await buildError({ data: DATA, regoDir: MINIMAL, outFile: out("none.tar.gz") })).code).toBe("AEGIS_ERR_OPA_NOT_FOUND");
      expect(existsSync(out("none.tar.gz"))).toBe(false);
    } finally {
      process.env.AEGIS_OPA = saved;
    }
  });

  it("reports a missing Rego directory as a read error", async () => {
    expect((await buildError({ data: DATA, regoDir: join(tmp.dir, "nope"), outFile: out("x.tar.gz") })).code).toBe("AEGIS_ERR_POLICY_READ");
  });

  it("produces a bundle OPA itself loads (opa build -b reads it back, opa inspect lists the entrypoint)", async () => {
    const result = await buildBundle({ data: DATA, regoDir: MINIMAL, outFile: out("opa-reads.tar.gz") });
    const rebuilt = await run(opaBinary(), ["build", "-b", result.outFile, "-o", out("opa-rebuilt.tar.gz")]);
    expect(rebuilt.stderr).toBe("");
    expect(rebuilt.code).toBe(0);
    const inspect = await run(opaBinary(), ["inspect", "--format", "json", result.outFile]);
    expect(inspect.code).toBe(0);
    expect(JSON.parse(inspect.stdout).manifest.revision).toBe(result.revision);
  });
});

describe("buildBundle with the real library and the example policies", () => {
  it("compiles policies/examples against policies/aegis into a bundle OPA accepts", async () => {
    const repo = fileURLToPath(new URL("../../", import.meta.url));
    const compiled = await compilePolicies(join(repo, "policies", "examples"));
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    const result = await buildBundle({ data: compiled.data, regoDir: join(repo, "policies", "aegis"), outFile: out("real.tar.gz") });
    const contents = await readBundle(readFileSync(result.outFile));
    expect(contents.manifest.wasm).toEqual([{ entrypoint: "aegis/decision", module: "/policy.wasm" }]);
    expect([...contents.files.keys()].filter((n) => n.endsWith("_test.rego"))).toEqual([]);
    expect((await run(opaBinary(), ["build", "-b", result.outFile, "-o", out("real-rebuilt.tar.gz")])).code).toBe(0);
  });
});
