import { describe, expect, it } from "vitest";
import { normalizeHost } from "./host.ts";

const cases: [raw: string, expected: string][] = [
  ["api.stripe.com", "api.stripe.com"],
  ["API.Stripe.COM", "api.stripe.com"],
  ["api.stripe.com:443", "api.stripe.com"],
  ["api.stripe.com.", "api.stripe.com"],
  ["api.stripe.com.:8443", "api.stripe.com"],
  ["[::1]:80", "::1"],
  ["[::1]", "::1"],
  ["[2001:DB8::1]:443", "2001:db8::1"],
  ["2001:db8::1", "2001:db8::1"],
  ["10.0.0.1:8080", "10.0.0.1"],
  ["", ""],
  ["  api.stripe.com  ", "api.stripe.com"],
  // Not a port: kept whole so it matches no allowlist entry.
  ["api.stripe.com:https", "api.stripe.com:https"],
  ["[::1]junk", "[::1]junk"],
  ["[x].", "[x]"],
  ["[::1", "[::1"],
];

describe("normalizeHost", () => {
  it.each(cases)("%j → %j", (raw, expected) => {
    expect(normalizeHost(raw)).toBe(expected);
  });
});
