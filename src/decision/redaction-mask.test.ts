import { describe, expect, it } from "vitest";
import { redactionMask } from "./redaction-mask.ts";

describe("redactionMask", () => {
  it.each([
    [{ headers: ["x-api-key"], query: ["token"], params: [] }, "headers:x-api-key,query:token"],
    [{ headers: [], query: [], params: ["card_number", "cvv"] }, "params:card_number,params:cvv"],
    [{ headers: [], query: [], params: [] }, ""],
  ])("names what was redacted: %j → %s", (redactions, mask) => {
    expect(redactionMask(redactions)).toBe(mask);
  });
});
