import { DatabaseSync } from "node:sqlite";
import { AegisError } from "../../errors/registry.ts";
import type { ApprovalStore } from "../approval-store.ts";
import type { AttestationIdStore } from "../attestation-id-store.ts";
import type { BudgetStore } from "../budget-store.ts";
import type { StandingApprovalStore } from "../standing-approval-store.ts";
import { guarded } from "../state-errors.ts";
import type { StateStore } from "../state-store.ts";
import type { SqliteSynchronous } from "../state-url.ts";
import type { TokenStore } from "../token-store.ts";
import type { TombstoneStore } from "../tombstone-store.ts";
import { sqliteApprovals } from "./sqlite-approvals.ts";
import { sqliteAttestationIds } from "./sqlite-attestation-ids.ts";
import { sqliteBudgets } from "./sqlite-budgets.ts";
import { prepareDatabaseFile } from "./sqlite-file.ts";
import { checkIntegrity } from "./sqlite-integrity.ts";
import { applySchema } from "./sqlite-schema.ts";
import { sqliteStanding } from "./sqlite-standing.ts";
import { sqliteSweeper } from "./sqlite-sweeper.ts";
import { sqliteTokens } from "./sqlite-tokens.ts";
import { sqliteTombstones } from "./sqlite-tombstones.ts";

/** How long a writer waits for another process's lock before failing with AEGIS_ERR_STATE. */
const BUSY_TIMEOUT_MS = 5_000;

/**
 * node:sqlite is synchronous: each call holds the event loop for its statements (microseconds
 * unless another process holds the write lock). Several processes may share the file; WAL lets
 * readers proceed while one writer commits. synchronous is NORMAL (commits survive kill -9) unless
 * the state URL asks for FULL (commits also survive power loss); see SqliteSynchronous.
 */
export class SqliteStateStore implements StateStore {
  readonly #db: DatabaseSync;
  readonly approvals: ApprovalStore;
  readonly tokens: TokenStore;
  readonly budgets: BudgetStore;
  readonly tombstones: TombstoneStore;
  readonly attestationIds: AttestationIdStore;
  readonly standing: StandingApprovalStore;

  private constructor(db: DatabaseSync) {
    this.#db = db;
    const sweep = sqliteSweeper(db);
    this.approvals = sqliteApprovals(db, sweep);
    this.tokens = sqliteTokens(db, sweep);
    this.budgets = sqliteBudgets(db, sweep);
    this.tombstones = sqliteTombstones(db);
    this.attestationIds = sqliteAttestationIds(db, sweep);
    this.standing = sqliteStanding(db);
  }

  /**
   * A missing file is created; an existing one must pass PRAGMA quick_check and hold the Aegis
   * tables, or open throws AEGIS_ERR_STATE; a zero-length one is refused unless `initialize`.
   */
  static open(path: string, synchronous: SqliteSynchronous = "normal", options: { readonly initialize?: boolean } = {}): SqliteStateStore {
    try {
      const prepared = path === ":memory:" ? "initialize" : prepareDatabaseFile(path, options.initialize === true);
      const db = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS });
      try {
        if (prepared === "check") checkIntegrity(db, path);
        db.exec("PRAGMA journal_mode = WAL");
        db.exec(`PRAGMA synchronous = ${synchronous === "full" ? "FULL" : "NORMAL"}`);
        applySchema(db);
        return new SqliteStateStore(db);
      } catch (error) {
        db.close();
        throw error;
      }
    } catch (cause) {
      if (cause instanceof AegisError) throw cause;
      throw new AegisError("AEGIS_ERR_STATE", `cannot open SQLite state at ${path}: ${String(cause)}`, { cause });
    }
  }

  health(): Promise<void> {
    return guarded("health", () => {
      this.#db.prepare("SELECT 1").get();
    });
  }

  close(): Promise<void> {
    return guarded("close", () => {
      if (this.#db.isOpen) this.#db.close();
    });
  }
}
