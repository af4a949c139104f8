import { describe, expect, it } from "vitest";
import { decodeQueryName, flattenParams, splitTarget } from "./query-string.ts";

describe("splitTarget", () => {
  it.each([
    ["/v1/pay", "/v1/pay", {}, []],
    ["/v1/pay?amount=10", "/v1/pay", { amount: ["10"] }, ["amount"]],
    ["/v1/pay?amount=1&amount=99999", "/v1/pay", { amount: ["1", "99999"] }, ["amount"]],
    ["/s?q=a+b&x=%2F&flag", "/s", { q: ["a b"], x: ["/"], flag: [""] }, ["q", "x", "flag"]],
    ["/s?tok%65n=secret", "/s", { token: ["secret"] }, ["tok%65n"]],
    ["/s?bad=%ZZ", "/s", { bad: ["%ZZ"] }, ["bad"]],
    ["/s?a=1#frag", "/s", { a: ["1"] }, ["a"]],
    ["", "", {}, []],
  ])("%j → path %j, query %j, raw names %j", (target, path, query, rawKeys) => {
    const split = splitTarget(target);
    expect(split.path).toBe(path);
    expect({ ...split.query }).toEqual(query);
    expect(split.rawQueryKeys).toEqual(rawKeys);
  });

  it("keeps a __proto__ parameter as data", () => {
    const { query } = splitTarget("/s?__proto__=x&constructor=y");
    expect(Object.keys(query).sort()).toEqual(["__proto__", "constructor"]);
    expect(query["__proto__"]).toEqual(["x"]);
  });
});

describe("flattenParams", () => {
  it("keeps single values as strings and repeated ones as arrays", () => {
    expect({ ...flattenParams({ a: ["1"], b: ["1", "2"] }) }).toEqual({ a: "1", b: ["1", "2"] });
  });
});

describe("decodeQueryName", () => {
  it.each([
    ["token", "token"],
    ["tok%65n", "token"],
    ["a+b", "a b"],
    ["%ZZ", "%ZZ"],
  ])("%j → %j", (raw, decoded) => {
    expect(decodeQueryName(raw)).toBe(decoded);
  });
});
