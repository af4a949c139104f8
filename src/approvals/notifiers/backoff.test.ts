import { describe, expect, it } from "vitest";
import { backoffDelayMs, nextDelayMs, parseRetryAfter } from "./backoff.ts";

const OPTIONS = { baseDelayMs: 100, maxDelayMs: 1000 };

describe("backoff", () => {
  it.each([
    [1, 100],
    [2, 200],
    [3, 400],
    [4, 800],
    [5, 1000],
    [12, 1000],
  ])("retry %i draws below an exponential ceiling of %i ms, capped at maxDelayMs", (retry, ceiling) => {
    expect(backoffDelayMs(retry, OPTIONS, () => 0.999999)).toBe(ceiling - 1);
    expect(backoffDelayMs(retry, OPTIONS, () => 0)).toBe(0);
  });

  it("waits for Retry-After when it is longer than the backoff", () => {
    expect(nextDelayMs(1, OPTIONS, 5000, 300_000, () => 0.5)).toBe(5000);
  });

  it("caps an excessive Retry-After", () => {
    expect(nextDelayMs(1, OPTIONS, 3_600_000, 300_000, () => 0.5)).toBe(300_000);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");
  it.each([
    ["120", 120_000],
    [" 0 ", 0],
    ["Wed, 01 Jan 2025 00:00:30 GMT", 30_000],
    ["Tue, 31 Dec 2024 23:00:00 GMT", 0],
    ["soon", undefined],
    ["-5", undefined],
    [null, undefined],
  ])("reads %j as %j ms", (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});
