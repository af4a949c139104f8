import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isAegisError } from "../../errors/registry.ts";
import { APPROVAL_RETENTION_MS, TOKEN_RETENTION_MS } from "../approval-record.ts";
import { openStateStore } from "../open-state-store.ts";
import type { StateStore } from "../state-store.ts";
import { SCHEMA_VERSION } from "./sqlite-schema.ts";
import { SqliteStateStore } from "./sqlite-state-store.ts";

const DAY_START = Date.parse("2030-01-15T00:00:00.000Z");
const DAY_MS = 86_400_000;

let dir: string;
let path: string;
const opened: StateStore[] = [];
const open = (): StateStore => {
  const store = SqliteStateStore.open(path);
  opened.push(store);
  return store;
};
const rows = (sql: string): unknown[] => {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare(sql).all().map((row) => ({ ...row }));
  } finally {
    db.close();
  }
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "aegis-sqlite-unit-"));
  path = join(dir, "deep", "er", "state.db");
});
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("SqliteStateStore.open", () => {
  it("creates the missing folders and a WAL-mode database stamped with the schema version", () => {
    open();
    expect(existsSync(path)).toBe(true);
    expect(rows("PRAGMA journal_mode")).toEqual([{ journal_mode: "wal" }]);
    expect(rows("SELECT version FROM schema_version")).toEqual([{ version: SCHEMA_VERSION }]);
  });

  it("opens an existing database again without touching its data or stamping twice", async () => {
    const first = open();
    await first.addTombstone("att-1", DAY_START + DAY_MS);
    await first.close();
    const second = open();
    expect(await second.isTombstoned("att-1", DAY_START)).toBe(true);
    expect(rows("SELECT version FROM schema_version")).toEqual([{ version: SCHEMA_VERSION }]);
  });

  it("refuses a database written by a newer schema", async () => {
    await open().close();
    const db = new DatabaseSync(path);
    db.exec(`UPDATE schema_version SET version = ${SCHEMA_VERSION + 1}`);
    db.close();
    let thrown: unknown;
    try {
      open();
    } catch (error) {
      thrown = error;
    }
    expect(isAegisError(thrown, "AEGIS_ERR_STATE")).toBe(true);
    expect(String(thrown)).toContain(`schema version ${SCHEMA_VERSION + 1}`);
  });

  it("fails with AEGIS_ERR_STATE when the path cannot hold a database", () => {
    let thrown: unknown;
    try {
      SqliteStateStore.open(dir);
    } catch (error) {
      thrown = error;
    }
    expect(isAegisError(thrown, "AEGIS_ERR_STATE")).toBe(true);
  });
});

describe("openStateStore default", () => {
  it("is sqlite:./data/aegis.db under the working directory", async () => {
    const previous = process.cwd();
    process.chdir(dir);
    try {
      const store = await openStateStore();
      await store.close();
      expect(existsSync(join(dir, "data", "aegis.db"))).toBe(true);
    } finally {
      process.chdir(previous);
    }
  });
});

describe("garbage collection", () => {
  const key = { tenant: "acme", agent: "finance-agent", name: "daily-spend" };
  const charge = { key, windowSeconds: 86_400, cost: 10, limit: 100 };

  it("deletes budget windows that have ended, on a later write", async () => {
    const store = open();
    await store.reserveBudgets([charge], DAY_START);
    await store.reserveBudgets([charge], DAY_START + DAY_MS);
    expect(rows("SELECT window_start FROM budget_windows")).toEqual([{ window_start: DAY_START + DAY_MS }]);
  });

  it("keeps the current window while sweeping", async () => {
    const store = open();
    await store.reserveBudgets([charge], DAY_START);
    await store.reserveBudgets([charge], DAY_START + DAY_MS - 1);
    expect(rows("SELECT spent FROM budget_windows")).toEqual([{ spent: 20 }]);
  });

  it("deletes tokens after their retention, tombstones after expiry and approvals after their retention", async () => {
    const store = open();
    const expiresAt = DAY_START + 60_000;
    await store.storeToken({ tokenHash: "a".repeat(64), digest: "d", approvalId: "x", expiresAt });
    await store.addTombstone("att-1", expiresAt);
    await store.createOrReuseApproval({
      tenant: "acme",
      agent: "finance-agent",
      tool: "t",
      action: "a",
      digest: "d",
      reason: "approval_needed",
      rule_id: "r",
      policy_version: "v",
      now: DAY_START,
      expires_in_seconds: 60,
    });

    await store.reserveBudgets([charge], expiresAt + TOKEN_RETENTION_MS - 1);
    expect(rows("SELECT count(*) AS n FROM override_tokens")).toEqual([{ n: 1 }]);
    expect(rows("SELECT count(*) AS n FROM tombstones")).toEqual([{ n: 0 }]);

    await store.reserveBudgets([charge], expiresAt + APPROVAL_RETENTION_MS);
    expect(rows("SELECT count(*) AS n FROM override_tokens")).toEqual([{ n: 0 }]);
    expect(rows("SELECT count(*) AS n FROM approvals")).toEqual([{ n: 0 }]);
  });
});
