import { describe, expect, it } from "vitest";
import { isAegisError } from "../errors/registry.ts";
import { createSpiffeMatcher, parseSpiffeId } from "./spiffe.ts";

describe("parseSpiffeId", () => {
  it.each([
    ["spiffe://cluster.local/ns/acme/sa/finance-agent", { trustDomain: "cluster.local", segments: ["ns", "acme", "sa", "finance-agent"] }],
    ["spiffe://example.org", { trustDomain: "example.org", segments: [] }],
    ["spiffe://Cluster.local/ns/a/sa/b", null],
    ["SPIFFE://cluster.local/ns/a/sa/b", null],
    ["spiffe://cluster.local:8443/ns/a/sa/b", null],
    ["spiffe://user@cluster.local/ns/a/sa/b", null],
    ["spiffe:///ns/a/sa/b", null],
    ["spiffe://cluster.local/ns//sa/b", null],
    ["spiffe://cluster.local/ns/../sa/b", null],
    ["spiffe://cluster.local/ns/./sa/b", null],
    ["spiffe://cluster.local/ns/a/sa/b/", null],
    ["spiffe://cluster.local/ns/a/sa/b?x=1", null],
    ["spiffe://cluster.local/ns/a/sa/b#f", null],
    ["spiffe://cluster.local/ns/a%2F/sa/b", null],
    ["https://cluster.local/ns/a/sa/b", null],
    [`spiffe://cluster.local/${"a".repeat(2048)}`, null],
  ])("%s", (id, expected) => {
    expect(parseSpiffeId(id)).toEqual(expected);
  });
});

describe("createSpiffeMatcher", () => {
  const cases: [name: string, config: Parameters<typeof createSpiffeMatcher>[0], principal: string, expected: { tenant: string; agent: string } | null][] = [
    ["Istio default, any trust domain", {}, "spiffe://cluster.local/ns/acme/sa/finance-agent", { tenant: "acme", agent: "finance-agent" }],
    ["Istio default, other trust domain", {}, "spiffe://prod.example.org/ns/acme/sa/finance-agent", { tenant: "acme", agent: "finance-agent" }],
    ["Istio default, wrong shape", {}, "spiffe://cluster.local/ns/acme/finance-agent", null],
    ["Istio default, extra segment", {}, "spiffe://cluster.local/ns/acme/sa/finance-agent/x", null],
    ["Istio default, literals must match", {}, "spiffe://cluster.local/namespace/acme/sa/finance-agent", null],
    ["accepted trust domain", { trustDomains: ["cluster.local"] }, "spiffe://cluster.local/ns/acme/sa/a", { tenant: "acme", agent: "a" }],
    ["unaccepted trust domain", { trustDomains: ["cluster.local"] }, "spiffe://evil.example/ns/acme/sa/a", null],
    ["accepted trust domains are case-insensitive", { trustDomains: ["Cluster.Local"] }, "spiffe://cluster.local/ns/acme/sa/a", { tenant: "acme", agent: "a" }],
    ["custom pattern", { pattern: "spiffe://{trust_domain}/tenant/{tenant}/agent/{agent}" }, "spiffe://td/tenant/acme/agent/bot", { tenant: "acme", agent: "bot" }],
    ["custom pattern with wildcard", { pattern: "spiffe://{trust_domain}/*/{tenant}/{agent}" }, "spiffe://td/region-1/acme/bot", { tenant: "acme", agent: "bot" }],
    ["pattern without tenant uses default", { pattern: "spiffe://{trust_domain}/agent/{agent}" }, "spiffe://td/agent/bot", { tenant: "default", agent: "bot" }],
    ["pattern with a literal trust domain", { pattern: "spiffe://prod.acme/ns/{tenant}/sa/{agent}" }, "spiffe://dev.acme/ns/acme/sa/bot", null],
    ["pattern with a literal trust domain, matching", { pattern: "spiffe://prod.acme/ns/{tenant}/sa/{agent}" }, "spiffe://prod.acme/ns/acme/sa/bot", { tenant: "acme", agent: "bot" }],
    ["not a SPIFFE ID", {}, "CN=finance-agent", null],
    ["empty principal", {}, "", null],
  ];

  it.each(cases)("%s", (_name, config, principal, expected) => {
    expect(createSpiffeMatcher(config)(principal)).toEqual(expected);
  });

  it.each([
    "/ns/{tenant}/sa/{agent}",
    "spiffe://{trust_domain}",
    "spiffe://{trust_domain}/ns/{tenant}/sa/x",
    "spiffe://{trust_domain}/{agent}/{agent}",
    "spiffe://{trust_domain}/{tenant}/{tenant}/{agent}",
    "spiffe://{trust_domain}/ns/../{agent}",
    "spiffe://Bad_Domain!/{agent}",
  ])("rejects the pattern %s as a configuration error", (pattern) => {
    let thrown: unknown;
    try {
      createSpiffeMatcher({ pattern });
    } catch (err) {
      thrown = err;
    }
    expect(isAegisError(thrown, "AEGIS_ERR_CONFIG_INVALID")).toBe(true);
  });
});
