import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { type RedisServer, startRedisServer } from "../support/redis-server.ts";

/** One StateStore backend under test: the same suites run against each. */
export interface Backend {
  readonly name: "sqlite" | "redis";
  setup(): Promise<void>;
  /** A URL to an empty store. */
  freshUrl(): Promise<string>;
  /** Restarts whatever server the store lives in (SIGKILL); SQLite has none. */
  restartServer(): Promise<void>;
  teardown(): Promise<void>;
}

export function sqliteBackend(): Backend {
  let dir = "";
  let count = 0;
  return {
    name: "sqlite",
    async setup() {
      dir = mkdtempSync(join(tmpdir(), "aegis-sqlite-"));
    },
    async freshUrl() {
      count += 1;
      return `sqlite:${join(dir, `nested-${count}`, "state.db")}`;
    },
    async restartServer() {},
    async teardown() {
      if (dir !== "") rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function redisBackend(): Backend {
  let server: RedisServer | undefined;
  const running = (): RedisServer => {
    if (server === undefined) throw new Error("redis backend used before setup");
    return server;
  };
  return {
    name: "redis",
    async setup() {
      server = await startRedisServer();
    },
    async freshUrl() {
      const client = new Redis(running().url);
      try {
        await client.flushall();
      } finally {
        client.disconnect();
      }
      return running().url;
    },
    async restartServer() {
      await running().restart("SIGKILL");
    },
    async teardown() {
      await server?.stop();
    },
  };
}

export const backends: readonly (() => Backend)[] = [sqliteBackend, redisBackend];
