import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { detectDockerEngine } from "../support/docker.ts";
import { findRedisServer } from "../support/redis-server.ts";

const empty = mkdtempSync(join(tmpdir(), "aegis-no-redis-"));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

describe("test Redis helper", () => {
  it("fails, naming scripts/setup.sh, when no redis-server binary can be found", () => {
    expect(() => findRedisServer([empty])).toThrow(/redis-server not found.*scripts\/setup\.sh/);
  });

  it("finds the provisioned redis-server", () => {
    expect(findRedisServer()).toMatch(/redis-server$/);
  });

  it("reports a Docker engine as unreachable, with the reason, when nothing answers /_ping", async () => {
    const previous = process.env["DOCKER_HOST"];
    process.env["DOCKER_HOST"] = `unix://${join(empty, "docker.sock")}`;
    try {
      const engine = await detectDockerEngine(500);
      expect(engine.reachable).toBe(false);
      expect(engine).toMatchObject({ endpoint: `unix://${join(empty, "docker.sock")}`, reason: expect.stringContaining("ENOENT") });
    } finally {
      if (previous === undefined) delete process.env["DOCKER_HOST"];
      else process.env["DOCKER_HOST"] = previous;
    }
  });
});
