import { describe, expect, it } from "vitest";
import { isAegisError } from "../../src/errors/registry.ts";
import { benchTool } from "./repo-paths.ts";

describe("benchTool", () => {
  it("names the setup component that provides a missing tool", () => {
    let caught: unknown;
    try {
      benchTool("ghz-that-is-not-there");
    } catch (err) {
      caught = err;
    }
    expect(isAegisError(caught, "AEGIS_ERR_BENCH")).toBe(true);
    expect((caught as Error).message).toMatch(/not found at \.tools\/bin\/ghz-that-is-not-there: run scripts\/setup\.sh/);
  });
});
