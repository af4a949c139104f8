import { describe, expect, it } from "vitest";
import { isAegisError } from "../errors/registry.ts";
import { DEFAULT_STATE_URL, parseStateUrl } from "./state-url.ts";

describe("parseStateUrl", () => {
  it.each([
    [DEFAULT_STATE_URL, { kind: "sqlite", path: "./data/aegis.db", synchronous: "normal", initialize: false }],
    ["sqlite:/var/lib/aegis/state.db", { kind: "sqlite", path: "/var/lib/aegis/state.db", synchronous: "normal", initialize: false }],
    ["sqlite:/var/lib/aegis/state.db?synchronous=full", { kind: "sqlite", path: "/var/lib/aegis/state.db", synchronous: "full", initialize: false }],
    ["sqlite:./s.db?initialize=true", { kind: "sqlite", path: "./s.db", synchronous: "normal", initialize: true }],
    ["sqlite:./s.db?synchronous=full&initialize=false", { kind: "sqlite", path: "./s.db", synchronous: "full", initialize: false }],
    ["redis://127.0.0.1:6379", { kind: "redis", url: "redis://127.0.0.1:6379" }],
    ["redis://cache:6380/3", { kind: "redis", url: "redis://cache:6380/3" }],
    ["rediss://user:pw@cache:6380/0", { kind: "redis", url: "rediss://user:pw@cache:6380/0" }],
  ])("accepts %s", (url, expected) => {
    expect(parseStateUrl(url)).toEqual(expected);
  });

  it.each([
    ["sqlite:", "needs a file path"],
    ["sqlite:./x.db?synchronous=off", "synchronous must be normal or full"],
    ["sqlite:./x.db?initialize=yes", "initialize must be true or false"],
    ["postgres://db/aegis", "expected sqlite:PATH or redis://"],
    ["redis://cache:6379/main", "database must be a number"],
    ["./data/aegis.db", "expected sqlite:PATH"],
  ])("rejects %s as invalid configuration", (url, message) => {
    let thrown: unknown;
    try {
      parseStateUrl(url);
    } catch (error) {
      thrown = error;
    }
    expect(isAegisError(thrown, "AEGIS_ERR_CONFIG_INVALID")).toBe(true);
    expect((thrown as Error).message).toContain(message);
  });

  it("never echoes a redis password in the error", () => {
    expect(() => parseStateUrl("redis://u:s3cret@cache:6379/x")).toThrow(/\/\/\*\*\*@cache/);
    expect(() => parseStateUrl("redis://u:s3cret@cache:6379/x")).not.toThrow(/s3cret/);
  });
});
