import { gzipSync } from "node:zlib";
import { Header } from "tar";
import { describe, expect, it } from "vitest";
import { fakeBundle } from "../../test/bundle/helpers.ts";
import { isAegisError, type ErrorCode } from "../errors/registry.ts";
import { readBundle } from "./read.ts";

/** A tar.gz with entries exactly as given: duplicates, odd names and types included. */
function rawTarGz(entries: { path: string; body?: string; type?: "File" | "SymbolicLink"; linkpath?: string }[]): Uint8Array {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? "");
    const header = new Header({ path: e.path, mode: 0o644, size: e.type === "SymbolicLink" ? 0 : body.length, type: e.type ?? "File", mtime: new Date(0), ...(e.linkpath ? { linkpath: e.linkpath } : {}) });
    header.encode();
    blocks.push(header.block as Buffer);
    if (e.type !== "SymbolicLink") blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

async function rejection(bytes: Uint8Array): Promise<{ code: ErrorCode; message: string }> {
  try {
    await readBundle(bytes);
  } catch (err) {
    if (isAegisError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error("readBundle accepted the bundle");
}

const validFiles = [
  { path: "/.manifest", body: JSON.stringify({ revision: "r" }) },
  { path: "/policy.wasm", body: "\0asm" },
  { path: "/data.json", body: "{}" },
];

describe("readBundle", () => {
  it("returns manifest, wasm, data (parsed and raw), every file and no signatures", async () => {
    const contents = await readBundle(fakeBundle());
    expect(contents.manifest.revision).toBe("r1");
    expect(contents.manifest.wasm).toEqual([{ entrypoint: "aegis/decision", module: "/policy.wasm" }]);
    expect(contents.wasm).toEqual(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    expect(JSON.parse(Buffer.from(contents.dataJson).toString("utf8"))).toEqual({ tenants: { acme: { n: 1.5, s: "x" } } });
    expect(new TextDecoder().decode(contents.dataJson)).toBe(JSON.stringify({ tenants: { acme: { n: 1.5, s: "x" } } }));
    expect([...contents.files.keys()].sort()).toEqual([".manifest", "aegis/decision.rego", "data.json", "policy.wasm"]);
    expect(contents.signatures).toBeNull();
  });

  it("normalises entry names with or without a leading slash", async () => {
    const contents = await readBundle(rawTarGz([{ path: "./.manifest", body: "{}" }, { path: "policy.wasm", body: "w" }]));
    expect([...contents.files.keys()].sort()).toEqual([".manifest", "policy.wasm"]);
    expect(JSON.parse(Buffer.from(contents.dataJson).toString("utf8"))).toEqual({});
  });

  it("parses .signatures.json", async () => {
    const contents = await readBundle(fakeBundle({ ".signatures.json": JSON.stringify({ signatures: ["a.b.c"] }) }));
    expect(contents.signatures).toEqual({ signatures: ["a.b.c"] });
  });

  it.each([
    ["bytes that are not an archive", new TextEncoder().encode("definitely not a tarball"), "AEGIS_ERR_BUNDLE_READ", /not a readable/],
    ["a truncated archive", fakeBundle().subarray(0, 60), "AEGIS_ERR_BUNDLE_READ", /not a readable/],
    ["no .manifest", fakeBundle({ ".manifest": null }), "AEGIS_ERR_BUNDLE_INVALID", /no .manifest/],
    ["no policy.wasm", fakeBundle({ "policy.wasm": null }), "AEGIS_ERR_BUNDLE_INVALID", /no policy.wasm/],
    ["a manifest that is not JSON", fakeBundle({ ".manifest": "{" }), "AEGIS_ERR_BUNDLE_INVALID", /.manifest is not valid/],
    ["data.json that is not an object", fakeBundle({ "data.json": "[1]" }), "AEGIS_ERR_BUNDLE_INVALID", /data.json must hold a JSON object/],
    ["data outside the root data.json", fakeBundle({ "tenants/data.json": "{}" }), "AEGIS_ERR_BUNDLE_INVALID", /tenants\/data.json/],
    ["a YAML data file", fakeBundle({ "data.yaml": "a: 1" }), "AEGIS_ERR_BUNDLE_INVALID", /data.yaml/],
    ["a second WASM module", fakeBundle({ "x/policy.wasm": "w" }), "AEGIS_ERR_BUNDLE_INVALID", /second WASM module/],
    ["a malformed .signatures.json", fakeBundle({ ".signatures.json": '{"signatures":"x"}' }), "AEGIS_ERR_BUNDLE_INVALID", /"signatures" must be an array/],
    ["a manifest naming another module", fakeBundle({ ".manifest": JSON.stringify({ wasm: [{ entrypoint: "e", module: "/other.wasm" }] }) }), "AEGIS_ERR_BUNDLE_INVALID", /other.wasm/],
  ])("rejects %s", async (_name, bytes, code, message) => {
    const error = await rejection(bytes);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it.each([
    ["the same file twice", [...validFiles, { path: "data.json", body: '{"evil":true}' }], /holds "data.json" twice/],
    ["a path leaving the root", [...validFiles, { path: "../escape.rego", body: "x" }], /leaves the bundle root/],
    ["a symbolic link", [...validFiles, { path: "link", type: "SymbolicLink" as const, linkpath: "/etc/passwd" }], /SymbolicLink/],
  ])("rejects an archive with %s", async (_name, entries, message) => {
    const error = await rejection(rawTarGz(entries));
    expect(error.code).toBe("AEGIS_ERR_BUNDLE_INVALID");
    expect(error.message).toMatch(message);
  });
});
