import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { QueryTypes, Sequelize, Transaction } from "sequelize";
import { tuneSqliteConnections } from "./sqlite-connections";
import { migrationFiles } from "./migration-files";
import type { Logger } from "../config/logger";
import type { Config } from "../config/config";

export type Dialect = "sqlite" | "postgres";

/** The database of one app instance: SQLite (embedded default) or PostgreSQL (`DATABASE_URL`). */
export class Database {
  readonly dialect: Dialect;
  private txChain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly sequelize: Sequelize,
    private readonly walFile = false,
    /** PostgreSQL: the connection URL (the migration run opens its own connection). */
    private readonly url?: string,
  ) {
    this.dialect = sequelize.getDialect() as Dialect;
  }

  static open(database: Config["database"]): Database {
    if (database.kind === "postgres") {
      // Epoch-millisecond columns are BIGINT; they fit a JS number, so read them as numbers on PostgreSQL.
      // Set here, not at import: an instance on SQLite never loads the PostgreSQL driver.
      pg.types.setTypeParser(20, (v: string) => Number(v));
      return new Database(
        new Sequelize(database.url, {
          dialect: "postgres",
          logging: false,
          pool: { max: 10, min: 0, idle: 10_000 },
        }),
        false,
        database.url,
      );
    }
    if (database.file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(database.file)), { recursive: true });
    const sequelize = new Sequelize({ dialect: "sqlite", storage: database.file, logging: false });
    tuneSqliteConnections(sequelize);
    return new Database(sequelize, database.file !== ":memory:");
  }

  /**
   * Runs `fn` in a transaction. SQLite allows one writer: transactions are serialized in-process so
   * that they queue instead of failing with SQLITE_BUSY.
   */
  async transaction<T>(fn: (t: Transaction) => Promise<T>): Promise<T> {
    if (this.dialect !== "sqlite") return this.sequelize.transaction(fn);
    const run = this.txChain.then(() => this.sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE }, fn));
    this.txChain = run.catch(() => undefined);
    return run;
  }

  async ping(): Promise<boolean> {
    try {
      await this.sequelize.query("SELECT 1");
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Brings the schema up to date: runs the migrations not yet recorded in `schema_migrations`, in
   * name order (umzug). When every migration is recorded — every start-up but the first after an
   * upgrade — one query decides it and umzug is not loaded at all. On PostgreSQL the run is one
   * transaction on one connection, behind a transaction-level advisory lock: instances starting at
   * once run it one after the other (the later ones find nothing to do), and a start killed half-way
   * leaves the schema as it was (PostgreSQL DDL is transactional), never a change without its record.
   * On SQLite the same holds (migrateSqlite).
   * `skip` leaves the named ones pending (tests of a migration on older data).
   */
  async migrate(log?: Logger, opts: { skip?: string[] } = {}): Promise<void> {
    // Write-ahead logging: readers never block the writer; set once, kept by the database file.
    if (this.walFile) await this.sequelize.query("PRAGMA journal_mode=WAL");
    const files = migrationFiles();
    const applied = await this.appliedMigrations();
    if (applied && files.every((f) => applied.has(f.name))) return;
    if (this.dialect !== "postgres" || !this.url) return this.migrateSqlite(files, log, opts.skip);
    const one = new Sequelize(this.url, { dialect: "postgres", logging: false, pool: { max: 1, min: 1 } });
    try {
      await one.query("BEGIN");
      try {
        await one.query("SELECT pg_advisory_xact_lock(:key)", { replacements: { key: MIGRATION_LOCK_KEY } });
        await this.runMigrations(one, files, log, opts.skip);
        await one.query("COMMIT");
      } catch (err) {
        await one.query("ROLLBACK").catch(() => undefined);
        throw err;
      }
    } finally {
      await one.close();
    }
  }

  /**
   * SQLite: the run is one transaction too (SQLite's DDL is transactional), on the one connection
   * that is not a transaction's: a start killed half-way, or a migration that fails, leaves the schema
   * and `schema_migrations` as they were. Foreign keys are off around it, as SQLite's table-rebuild
   * procedure requires (https://www.sqlite.org/lang_altertable.html#otheralter; the pragma is a no-op
   * inside a transaction), and checked before the commit. Nothing else runs during start-up's migration.
   */
  private async migrateSqlite(files: ReturnType<typeof migrationFiles>, log?: Logger, skip?: string[]): Promise<void> {
    const run = (sql: string) => this.sequelize.query(sql);
    await run("PRAGMA foreign_keys = OFF");
    try {
      await run("BEGIN IMMEDIATE");
      try {
        await this.runMigrations(this.sequelize, files, log, skip);
        const broken = await this.sequelize.query("PRAGMA foreign_key_check", { type: QueryTypes.SELECT });
        if (broken.length) throw new Error(`the migrations left ${broken.length} rows referring to rows that do not exist`);
        await run("COMMIT");
      } catch (err) {
        await run("ROLLBACK").catch(() => undefined);
        throw err;
      }
    } finally {
      await run("PRAGMA foreign_keys = ON");
    }
  }

  private async runMigrations(sequelize: Sequelize, files: ReturnType<typeof migrationFiles>, log?: Logger, skipNames: string[] = []): Promise<void> {
    const { Umzug, SequelizeStorage } = await import("umzug");
    const context = sequelize.getQueryInterface();
    const umzug = new Umzug({
      migrations: files.map((f) => ({ name: f.name, up: () => f.load().up(context), down: () => f.load().down(context) })),
      context,
      storage: new SequelizeStorage({ sequelize, tableName: "schema_migrations" }),
      logger: undefined,
    });
    const skip = new Set(skipNames);
    const done = skip.size
      ? await umzug.up({ migrations: (await umzug.pending()).map((m) => m.name).filter((n) => !skip.has(n)) })
      : await umzug.up();
    if (done.length) log?.info({ migrations: done.map((m) => m.name) }, "database migrated");
  }

  /** Names recorded in `schema_migrations` (umzug's SequelizeStorage table), or null when there is no such table yet. */
  private async appliedMigrations(): Promise<Set<string> | null> {
    const tables = (await this.sequelize.getQueryInterface().showAllTables()) as Array<string | { tableName: string }>;
    if (!tables.some((t) => (typeof t === "string" ? t : t.tableName) === "schema_migrations")) return null;
    const [rows] = await this.sequelize.query("SELECT name FROM schema_migrations");
    return new Set((rows as Array<{ name: string }>).map((r) => r.name));
  }

  async close(): Promise<void> {
    await this.sequelize.close();
  }
}

/** The advisory-lock key every instance takes while migrating ("relay-migrations" as a number). */
const MIGRATION_LOCK_KEY = 7_264_913_572;

export interface Migration {
  up(q: ReturnType<Sequelize["getQueryInterface"]>): Promise<void>;
  down(q: ReturnType<Sequelize["getQueryInterface"]>): Promise<void>;
}
