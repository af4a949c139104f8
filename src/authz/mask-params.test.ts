import { describe, expect, it } from "vitest";
import { maskParams } from "./mask-params.ts";

describe("maskParams", () => {
  it("masks a sanitized name in any letter case, at any depth", () => {
    const params = { Token: "a", TOKEN: "b", nested: [{ SsN: "c" }], keep: "d" };
    expect(maskParams(params, new Set(["token", "SSN"]))).toEqual({ Token: "[REDACTED]", TOKEN: "[REDACTED]", nested: [{ SsN: "[REDACTED]" }], keep: "d" });
  });

  it("keeps __proto__ and constructor keys as data and masks under them", () => {
    const params = JSON.parse('{"__proto__":{"ssn":"x","page":1},"constructor":{"Ssn":"y"}}') as Record<string, unknown>;
    const masked = maskParams(params, ["ssn"]);
    expect(Object.hasOwn(masked, "__proto__")).toBe(true);
    expect(JSON.stringify(masked)).toBe('{"__proto__":{"ssn":"[REDACTED]","page":1},"constructor":{"Ssn":"[REDACTED]"}}');
    expect(Object.getPrototypeOf(masked)).toBe(Object.prototype);
  });

  it("always masks an override token sent as a parameter, even with no sanitize rule", () => {
    expect(maskParams({ "X-Aegis-Override-Token": "aegis_ot_x", amount: 1 }, [])).toEqual({ "X-Aegis-Override-Token": "[REDACTED]", amount: 1 });
  });
});
