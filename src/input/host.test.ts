import { describe, expect, it } from "vitest";
import { parseAuthority } from "./host.ts";

const hosts: [raw: string, host: string, port: number | null][] = [
  ["api.stripe.com", "api.stripe.com", null],
  ["API.Stripe.COM", "api.stripe.com", null],
  ["api.stripe.com:443", "api.stripe.com", 443],
  ["api.stripe.com:25", "api.stripe.com", 25],
  ["api.stripe.com.", "api.stripe.com", null],
  ["api.stripe.com.:8443", "api.stripe.com", 8443],
  ["[::1]:80", "::1", 80],
  ["[::1]", "::1", null],
  ["[2001:DB8::1]:443", "2001:db8::1", 443],
  ["2001:db8::1", "2001:db8::1", null],
  ["10.0.0.1:8080", "10.0.0.1", 8080],
  ["", "", null],
  ["  api.stripe.com  ", "api.stripe.com", null],
];

describe("parseAuthority", () => {
  it.each(hosts)("%j → host %j, port %j", (raw, host, port) => {
    expect(parseAuthority(raw)).toEqual({ ok: true, host, port });
  });

  // Read loosely these could name an allowlisted host ("[api.stripe.com]" → "api.stripe.com").
  it.each([
    "[api.stripe.com]",
    "[api.stripe.com]:443",
    "[x].",
    "[::1",
    "[::1]junk",
    "[::1]:",
    "api.stripe.com:https",
    "api.stripe.com:",
    "api.stripe.com:0",
    "api.stripe.com:65536",
    "api.stripe.com:99999999999",
    "api.stripe.com:443:443",
    "api.stripe.com:+443",
  ])("refuses %j", (raw) => {
    const result = parseAuthority(raw);
    expect(result.ok).toBe(false);
  });
});
