import { describe, expect, it } from "vitest";
import { PAYMENT_PARAMS, paramsOfSize } from "./body-params.ts";

describe("paramsOfSize", () => {
  it.each([1024, 4096, 65_536])("serializes to %d bytes, give or take a few, and keeps the payment fields", (bytes) => {
    const params = paramsOfSize(bytes);
    const size = JSON.stringify(params).length;
    expect(size).toBeLessThanOrEqual(bytes);
    expect(size).toBeGreaterThan(bytes - 16);
    expect(params).toMatchObject(PAYMENT_PARAMS);
  });

  it("stays under the default limit of 1000 parameters even at 64 KiB", () => {
    const metadata = paramsOfSize(65_536)["metadata"] as Record<string, string>;
    expect(Object.keys(metadata).length).toBeLessThan(1000);
  });

  it("is just the payment fields when asked for less than they take", () => {
    expect(paramsOfSize(0)).toEqual(PAYMENT_PARAMS);
  });
});
