import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, parseAddr } from "./config.ts";

function file(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "aegis-cfg-"));
  const path = join(dir, "aegis.yaml");
  writeFileSync(path, text);
  return path;
}

describe("loadConfig", () => {
  it("fills documented defaults when nothing is given", () => {
    const c = loadConfig({});
    expect(c.grpc.addr).toBe(":9191");
    expect(c.http.addr).toBe(":8181");
    expect(c.state).toBe("sqlite:./data/aegis.db");
    expect(c.identity.trust_headers).toBe(false);
    expect(c.identity.spiffe.pattern).toBe("spiffe://{trust_domain}/ns/{tenant}/sa/{agent}");
    expect(c.limits.max_body_bytes).toBe(1048576);
  });

  it("applies flags over env over file", () => {
    const path = file("grpc:\n  addr: ':1'\nhttp:\n  addr: ':2'\nstate: sqlite:/x\n");
    const c = loadConfig({
      file: path,
      env: { AEGIS_HTTP_ADDR: ":3", AEGIS_STATE: "redis://127.0.0.1:6379" },
      flags: [{ path: ["state"], value: "sqlite:/flag" }],
    });
    expect(c.grpc.addr).toBe(":1");
    expect(c.http.addr).toBe(":3");
    expect(c.state).toBe("sqlite:/flag");
  });

  it("coerces typed environment variables and rejects bad ones", () => {
    expect(loadConfig({ env: { AEGIS_ENGINE_WORKERS: "2", AEGIS_TRUST_IDENTITY_HEADERS: "true" } }).engine.workers).toBe(2);
    expect(() => loadConfig({ env: { AEGIS_ENGINE_WORKERS: "two" } })).toThrow(/AEGIS_ENGINE_WORKERS must be a whole number/);
  });

  it("takes notifier secrets from the environment, so they need not sit in a config file", () => {
    const c = loadConfig({ env: { AEGIS_SLACK_SIGNING_SECRET: "s", AEGIS_WEBHOOK_SECRET: "w", AEGIS_WEBHOOK_URL: "https://hooks.example/aegis" } });
    expect(c.approvals.slack?.signing_secret).toBe("s");
    expect(c.approvals.webhook).toEqual({ url: "https://hooks.example/aegis", secret: "w" });
  });

  it("rejects unknown keys with their path", () => {
    expect(() => loadConfig({ file: file("grpc:\n  adr: ':1'\n") })).toThrow(/\/grpc: must NOT have additional properties/);
  });

  it("returns a frozen object", () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c.grpc)).toBe(true);
  });
});

describe("parseAddr", () => {
  it.each([
    [":9191", { host: "0.0.0.0", port: 9191 }],
    ["127.0.0.1:0", { host: "127.0.0.1", port: 0 }],
    ["[::1]:8181", { host: "::1", port: 8181 }],
  ])("%s", (addr, expected) => expect(parseAddr(addr)).toEqual(expected));

  it("rejects an address without a port", () => expect(() => parseAddr("localhost")).toThrow(/host:port/));
});
