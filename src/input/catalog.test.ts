import { describe, expect, it } from "vitest";
import { type CatalogEntry, matchCatalog } from "./catalog.ts";

const entry = (host: string, method: string, path: string, action = "a"): CatalogEntry => ({ host, method, path, tool: "t", action });

const cases: [name: string, entry: CatalogEntry, request: { host: string; method: string; path: string }, matches: boolean][] = [
  ["exact path", entry("api.stripe.com", "POST", "/v1/payment_intents"), { host: "api.stripe.com", method: "POST", path: "/v1/payment_intents" }, true],
  ["exact path, other path", entry("api.stripe.com", "POST", "/v1/payment_intents"), { host: "api.stripe.com", method: "POST", path: "/v1/payment_intents/x" }, false],
  ["exact path, trailing slash", entry("api.stripe.com", "POST", "/v1/payment_intents"), { host: "api.stripe.com", method: "POST", path: "/v1/payment_intents/" }, false],
  ["method case-insensitive", entry("api.stripe.com", "post", "/v1/p"), { host: "api.stripe.com", method: "POST", path: "/v1/p" }, true],
  ["other method", entry("api.stripe.com", "POST", "/v1/p"), { host: "api.stripe.com", method: "GET", path: "/v1/p" }, false],
  ["any method", entry("api.stripe.com", "*", "/v1/p"), { host: "api.stripe.com", method: "DELETE", path: "/v1/p" }, true],
  ["other host", entry("api.stripe.com", "*", "/v1/p"), { host: "evil.com", method: "GET", path: "/v1/p" }, false],
  ["host case-insensitive", entry("API.stripe.com", "*", "/v1/p"), { host: "api.stripe.com", method: "GET", path: "/v1/p" }, true],
  ["host wildcard, deeper name", entry("*.docs.acme.internal", "*", "/"), { host: "wiki.docs.acme.internal", method: "GET", path: "/" }, true],
  ["host wildcard, bare suffix", entry("*.docs.acme.internal", "*", "/"), { host: "docs.acme.internal", method: "GET", path: "/" }, false],
  ["host wildcard, lookalike", entry("*.docs.acme.internal", "*", "/"), { host: "evildocs.acme.internal", method: "GET", path: "/" }, false],
  ["any host", entry("*", "*", "/"), { host: "anything.example", method: "GET", path: "/" }, true],
  ["* one segment", entry("h", "*", "/v1/customers/*/charges"), { host: "h", method: "GET", path: "/v1/customers/cus_1/charges" }, true],
  ["* not two segments", entry("h", "*", "/v1/customers/*/charges"), { host: "h", method: "GET", path: "/v1/customers/a/b/charges" }, false],
  ["* not an empty segment", entry("h", "*", "/v1/customers/*/charges"), { host: "h", method: "GET", path: "/v1/customers//charges" }, false],
  ["** any rest", entry("h", "*", "/docs/**"), { host: "h", method: "GET", path: "/docs/a/b/c" }, true],
  ["** also no rest", entry("h", "*", "/docs/**"), { host: "h", method: "GET", path: "/docs" }, true],
  ["** not a prefix of another segment", entry("h", "*", "/docs/**"), { host: "h", method: "GET", path: "/docsx/a" }, false],
];

describe("matchCatalog", () => {
  it.each(cases)("%s", (_name, e, request, matches) => {
    expect(matchCatalog([e], request)).toBe(matches ? e : null);
  });

  it("returns the first match in file order", () => {
    const first = entry("h", "*", "/a/**", "first");
    const second = entry("h", "GET", "/a/b", "second");
    expect(matchCatalog([first, second], { host: "h", method: "GET", path: "/a/b" })).toBe(first);
  });

  it("returns null for an empty catalog", () => {
    expect(matchCatalog([], { host: "h", method: "GET", path: "/" })).toBeNull();
  });
});
