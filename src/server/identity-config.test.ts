import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";
import { identityConfigOf } from "./identity-config.ts";

describe("identityConfigOf", () => {
  it("carries every JWT setting, the lifetime cap included (aegis eval once lacked it)", () => {
    const config = loadConfig({ flags: [{ path: ["identity", "jwt"], value: { public_key_file: "k.pem", issuer: "https://idp", audience: "aegis", max_lifetime: "2h" } }] });
    expect(identityConfigOf(config, false)).toEqual({
      jwt: { publicKeyFile: "k.pem", issuer: "https://idp", audience: "aegis", tenantClaim: "tenant", agentClaim: "sub", maxLifetimeSeconds: 7200 },
      spiffe: { trustDomains: [], pattern: expect.any(String) },
      trustIdentityHeaders: false,
    });
  });

  it("defaults the lifetime cap to 24 h and passes the header trust it is given", () => {
    const config = loadConfig({ flags: [{ path: ["identity", "jwt"], value: { public_key_file: "k.pem" } }] });
    const options = identityConfigOf(config, true);
    expect(options.jwt?.maxLifetimeSeconds).toBe(86_400);
    expect(options.trustIdentityHeaders).toBe(true);
  });

  it("has no JWT verifier when none is configured", () => {
    expect(identityConfigOf(loadConfig({}), false).jwt).toBeNull();
  });
});
