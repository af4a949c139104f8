import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isAegisError } from "../../errors/registry.ts";
import { APPROVAL_RETENTION_MS, TOKEN_RETENTION_MS } from "../approval-record.ts";
import { CLOCK_GRACE_MS } from "../clock-grace.ts";
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
    await first.tombstones.addTombstone("att-1", DAY_START + DAY_MS);
    await first.close();
    const second = open();
    expect(await second.tombstones.isTombstoned("att-1", DAY_START)).toBe(true);
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

describe("SqliteStateStore.open refuses a damaged file (AEGIS_ERR_STATE)", () => {
  const refusal = (options: { initialize?: boolean } = {}): string => {
    try {
      opened.push(SqliteStateStore.open(path, "normal", options));
    } catch (error) {
      expect(isAegisError(error, "AEGIS_ERR_STATE"), String(error)).toBe(true);
      return (error as Error).message;
    }
    throw new Error("expected open to refuse the file");
  };
  const withData = async (): Promise<void> => {
    const store = SqliteStateStore.open(path);
    for (let i = 0; i < 50; i++) {
      await store.approvals.createOrReuseApproval({
        tenant: "acme", agent: "finance-agent", tool: "t", action: "a", digest: `digest-${i}`, reason: "approval_needed",
        rule_id: "r", policy_version: "v", now: DAY_START, expires_in_seconds: 3_600,
      });
    }
    await store.close();
  };

  it("refuses a zero-length file, and starts it empty when asked to initialize", async () => {
    await withData();
    truncateSync(path, 0);
    expect(refusal()).toMatch(/empty \(zero-byte\) file.*initialize=true/);
    const store = SqliteStateStore.open(path, "normal", { initialize: true });
    opened.push(store);
    expect(await store.approvals.listApprovals({}, DAY_START)).toEqual([]);
    expect(rows("SELECT version FROM schema_version")).toEqual([{ version: SCHEMA_VERSION }]);
  });

  it("refuses a file whose approvals page was overwritten in the middle", async () => {
    await withData();
    const [{ rootpage }] = rows("SELECT rootpage FROM sqlite_schema WHERE name = 'approvals'") as [{ rootpage: number }];
    const [{ page_size: pageSize }] = rows("PRAGMA page_size") as [{ page_size: number }];
    const bytes = readFileSync(path);
    // From the middle of the page to its end: the cells of the rows live there.
    bytes.fill(0xa5, (rootpage - 1) * pageSize + pageSize / 2, rootpage * pageSize);
    writeFileSync(path, bytes);
    expect(refusal()).toMatch(/failed its integrity check/);
    expect(refusal({ initialize: true })).toMatch(/failed its integrity check/);
  });

  it("refuses random bytes that are no database at all", () => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    expect(refusal()).toMatch(/failed its integrity check/);
  });

  it("refuses another program's SQLite database instead of adding tables to it", () => {
    mkdirSync(dirname(path), { recursive: true });
    const other = new DatabaseSync(path);
    other.exec("CREATE TABLE notes (body TEXT)");
    other.close();
    expect(refusal()).toMatch(/not an Aegis state database/);
  });

  it("refuses a file that lost one of its tables, rather than re-creating it empty", async () => {
    await withData();
    const db = new DatabaseSync(path);
    db.exec("DROP TABLE budget_windows");
    db.close();
    expect(refusal()).toMatch(/budget_windows are missing/);
  });

  it("refuses a table with other columns than version 1 defines", async () => {
    await open().close();
    opened.length = 0;
    const db = new DatabaseSync(path);
    db.exec("DROP TABLE tombstones; CREATE TABLE tombstones (id TEXT)");
    db.close();
    expect(refusal()).toMatch(/tombstones does not have the expected columns/);
  });

  it("adds the attestation_ids table to a version-1 file made before it existed", async () => {
    await open().close();
    opened.length = 0;
    const db = new DatabaseSync(path);
    db.exec("DROP TABLE attestation_ids");
    db.close();
    const store = open();
    expect(await store.attestationIds.claimAttestationId("jti-1", DAY_START + 60_000, DAY_START)).toBe(true);
  });

  it("leaves no scratch files beside a database it created", async () => {
    await open().close();
    expect(readdirSync(dirname(path)).filter((name) => name.endsWith(".new"))).toEqual([]);
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

  it("deletes budget windows one clock grace after they ended, on a later write", async () => {
    const store = open();
    await store.budgets.reserveBudgets([charge], DAY_START);
    await store.budgets.reserveBudgets([charge], DAY_START + DAY_MS + CLOCK_GRACE_MS - 1);
    expect(rows("SELECT window_start FROM budget_windows ORDER BY window_start")).toEqual([{ window_start: DAY_START }, { window_start: DAY_START + DAY_MS }]);
    await store.budgets.reserveBudgets([charge], DAY_START + DAY_MS + 2 * CLOCK_GRACE_MS);
    expect(rows("SELECT window_start FROM budget_windows")).toEqual([{ window_start: DAY_START + DAY_MS }]);
  });

  it("keeps the current window while sweeping", async () => {
    const store = open();
    await store.budgets.reserveBudgets([charge], DAY_START);
    await store.budgets.reserveBudgets([charge], DAY_START + DAY_MS - 1);
    expect(rows("SELECT spent FROM budget_windows")).toEqual([{ spent: 20 }]);
  });

  it("deletes tokens after their retention, tombstones and attestation ids one clock grace after expiry and approvals after their retention", async () => {
    const store = open();
    const expiresAt = DAY_START + 60_000;
    await store.tokens.storeToken({ tokenHash: "a".repeat(64), digest: "d", approvalId: "x", expiresAt });
    await store.tombstones.addTombstone("att-1", expiresAt);
    await store.attestationIds.claimAttestationId("jti-1", expiresAt, DAY_START);
    await store.approvals.createOrReuseApproval({
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

    await store.budgets.reserveBudgets([charge], expiresAt + TOKEN_RETENTION_MS - 1);
    expect(rows("SELECT count(*) AS n FROM override_tokens")).toEqual([{ n: 1 }]);
    expect(rows("SELECT count(*) AS n FROM tombstones")).toEqual([{ n: 0 }]);
    expect(rows("SELECT count(*) AS n FROM attestation_ids")).toEqual([{ n: 0 }]);

    await store.budgets.reserveBudgets([charge], expiresAt + APPROVAL_RETENTION_MS);
    expect(rows("SELECT count(*) AS n FROM override_tokens")).toEqual([{ n: 0 }]);
    expect(rows("SELECT count(*) AS n FROM approvals")).toEqual([{ n: 0 }]);
  });
});
