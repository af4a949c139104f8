import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isAegisError } from "../errors/registry.ts";
import { canonicalStructuredText, goJsonString, hashBundleFile, isStructuredFile } from "./file-hash.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const sha256 = (s: string | Uint8Array) => createHash("sha256").update(s).digest("hex");

describe("goJsonString: Go encoding/json with SetEscapeHTML(false)", () => {
  it.each([
    ["plain", "abc", '"abc"'],
    ["quote and backslash", 'a"b\\c', '"a\\"b\\\\c"'],
    ["short escapes, \\b and \\f included (Go >= 1.22)", "\b\f\n\r\t", '"\\b\\f\\n\\r\\t"'],
    ["other control characters as lower-case \\u00xx", "\u0000\u001f\u000b", '"\\u0000\\u001f\\u000b"'],
    ["HTML characters stay raw", "<a>&", '"<a>&"'],
    ["DEL stays raw", "\u007f", '"\u007f"'],
    ["line and paragraph separators are escaped", "\u2028\u2029", '"\\u2028\\u2029"'],
    ["non-ASCII stays raw", "é😀", '"é😀"'],
    ["a lone surrogate becomes U+FFFD", "a\ud800b", '"a\ufffdb"'],
  ])("%s", (_name, input, expected) => {
    expect(goJsonString(input)).toBe(expected);
  });
});

describe("canonicalStructuredText: the bytes OPA hashes for data.json and .manifest", () => {
  it("sorts keys by UTF-8 bytes, not UTF-16 code units", () => {
    // U+FF61 sorts before U+1F600 in UTF-8, after it in UTF-16.
    expect(canonicalStructuredText("data.json", enc('{"😀":1,"\uff61":2,"a":3}'))).toBe('{"a":3,"\uff61":2,"😀":1}');
  });

  it("keeps number literals exactly as written", () => {
    expect(canonicalStructuredText("data.json", enc('{"a":[1.50,-0,1E5,10]}'))).toBe('{"a":[1.50,-0,1E5,10]}');
  });

  it("ignores whitespace and a UTF-8 BOM", () => {
    const text = '\ufeff{ "b" : [ true , null ],\n "a" : "x" }';
    expect(canonicalStructuredText("data.json", enc(text))).toBe('{"a":"x","b":[true,null]}');
  });

  it("re-encodes string escapes the Go way", () => {
    expect(canonicalStructuredText(".manifest", enc('{"s":"\\u003c\\u2028\\/"}'))).toBe('{"s":"<\\u2028/"}');
  });

  it("rejects bytes that are not JSON", () => {
    expect(() => canonicalStructuredText("data.json", enc("{nope"))).toThrow(/data.json: not valid JSON/);
  });
});

describe("hashBundleFile", () => {
  it("hashes structured files over their canonical text", () => {
    expect(hashBundleFile("data.json", enc('{ "b": 1, "a": 2 }'))).toBe(sha256('{"a":2,"b":1}'));
    expect(hashBundleFile(".manifest", enc('{"revision": "r"}'))).toBe(sha256('{"revision":"r"}'));
  });

  it("hashes any other file over its raw bytes", () => {
    const rego = enc("package x\n\n{ }");
    expect(hashBundleFile("aegis/x.rego", rego)).toBe(sha256(rego));
    expect(hashBundleFile("policy.wasm", new Uint8Array([0, 1, 2]))).toBe(sha256(new Uint8Array([0, 1, 2])));
  });

  it("decides structure by base name, as OPA does", () => {
    expect(isStructuredFile("a/b/data.json")).toBe(true);
    expect(isStructuredFile("a/.signatures.json")).toBe(false);
    expect(isStructuredFile("a/signatures.json")).toBe(true);
    expect(isStructuredFile("x.json")).toBe(false);
  });

  it("supports the SHA-2 family and refuses weak or unknown digests", () => {
    expect(hashBundleFile("x.rego", enc("a"), "SHA-512")).toBe(createHash("sha512").update("a").digest("hex"));
    for (const alg of ["MD5", "SHA-1", "SHA3-256"]) {
      let error: unknown;
      try {
        hashBundleFile("x.rego", enc("a"), alg);
      } catch (err) {
        error = err;
      }
      expect(isAegisError(error, "AEGIS_ERR_BUNDLE_SIGNATURE")).toBe(true);
    }
  });
});
