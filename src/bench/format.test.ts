import { describe, expect, it } from "vitest";
import { formatBytes, formatNs, formatRatio, table } from "./format.ts";

describe("formatNs", () => {
  it.each([
    [850, "850 ns"],
    [41_100, "41.1 µs"],
    [2_680_000, "2.68 ms"],
    [3_500_000_000, "3.50 s"],
    [-4_292_608, "-4.29 ms"],
    [null, "n/a"],
    [Number.NaN, "n/a"],
  ])("%s ns reads %s", (ns, text) => {
    expect(formatNs(ns)).toBe(text);
  });
});

describe("formatBytes and formatRatio", () => {
  it("picks the unit by magnitude", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(10_547)).toBe("10.3 KiB");
    expect(formatBytes(200 * 1024 * 1024)).toBe("200.0 MiB");
  });

  it("prints n/a for a ratio that could not be taken", () => {
    expect(formatRatio(null)).toBe("n/a");
    expect(formatRatio(Number.POSITIVE_INFINITY)).toBe("n/a");
    expect(formatRatio(0.0537)).toBe("0.054×");
  });
});

describe("table", () => {
  it("left-aligns the first column, right-aligns the rest, to the widest cell", () => {
    expect(table(["name", "p99"], [["aegis", "41 µs"], ["opa bench", "1.7 ms"]]).split("\n")).toEqual([
      "name          p99",
      "aegis       41 µs",
      "opa bench  1.7 ms",
    ]);
  });
});
