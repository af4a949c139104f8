import { describe, expect, it } from "vitest";
import { parseJsonBody, repeatedJsonMember } from "./json-body.ts";

describe("parseJsonBody", () => {
  it("parses what JSON.parse parses, to the same value", () => {
    const text = '{"a":1,"b":[true,null,"x\\"y",{"c":-2.5e3}],"d":{}}';
    expect(parseJsonBody(text)).toEqual(JSON.parse(text));
    expect(repeatedJsonMember(parseJsonBody(text))).toBeNull();
  });

  it.each(["{not json", "", "{\"a\":1,}", "[1,2"])("throws SyntaxError on %j", (text) => {
    expect(() => parseJsonBody(text)).toThrow(SyntaxError);
  });

  it.each([
    ['{"amount":1,"amount":99999}', "amount"],
    ['{"a":{"x":1,"x":2}}', "x"],
    ['{"a":[{"k":1},{"k":2,"k":3}]}', "k"],
    ['{"amount":1,"\\u0061mount":2}', "amount"],
    ['{"method":"tools/call","params":{"name":"pay","arguments":{"amount":1,"amount":2}}}', "amount"],
  ])("marks the repeated member of %s", (text, name) => {
    expect(repeatedJsonMember(parseJsonBody(text))).toBe(name);
  });

  it("does not count the same name in sibling objects, or a value equal to a name, as repeated", () => {
    expect(repeatedJsonMember(parseJsonBody('{"a":{"k":1},"b":{"k":2},"c":"a","d":["a","a"]}'))).toBeNull();
  });

  it("never puts the mark into serialised JSON", () => {
    const value = parseJsonBody('{"amount":1,"amount":2}');
    expect(JSON.stringify(value)).toBe('{"amount":2}');
    expect(Object.keys(value as object)).toEqual(["amount"]);
  });

  it.each([
    ['{"amount":1e400}', "1e400"],
    ['{"amount":-1e400}', "-1e400"],
    [`{"amount":1${"0".repeat(400)}}`, `1${"0".repeat(400)}`],
  ])("keeps a number a double cannot hold as its source text: %s", (text, source) => {
    expect(parseJsonBody(text)).toEqual({ amount: source });
  });

  it("keeps finite numbers numbers, nested huge ones as text", () => {
    expect(parseJsonBody('{"a":1e308,"b":[1e999],"c":{"d":5e-400}}')).toEqual({ a: 1e308, b: ["1e999"], c: { d: 0 } });
  });

  it("scans deep nesting without recursion", () => {
    const text = `${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}`;
    expect(repeatedJsonMember(parseJsonBody(text))).toBeNull();
  });
});
