import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { Sequelize, Transaction } from "sequelize";
import { Umzug, SequelizeStorage } from "umzug";
import { tuneSqliteConnections } from "./sqlite-connections";
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
   * Runs the migrations not yet recorded in `schema_migrations`. On PostgreSQL the whole run is one
   * transaction on one connection, behind a transaction-level advisory lock: instances starting at
   * once run it one after the other (the later ones find nothing to do), and a start killed half-way
   * leaves the schema as it was (PostgreSQL DDL is transactional), never a change without its record.
   */
  async migrate(log?: Logger): Promise<void> {
    // Write-ahead logging: readers never block the writer; set once, kept by the database file.
    if (this.walFile) await this.sequelize.query("PRAGMA journal_mode=WAL");
    if (this.dialect !== "postgres" || !this.url) return this.runMigrations(this.sequelize, log);
    const one = new Sequelize(this.url, { dialect: "postgres", logging: false, pool: { max: 1, min: 1 } });
    try {
      await one.query("BEGIN");
      try {
        await one.query("SELECT pg_advisory_xact_lock(:key)", { replacements: { key: MIGRATION_LOCK_KEY } });
        await this.runMigrations(one, log);
        await one.query("COMMIT");
      } catch (err) {
        await one.query("ROLLBACK").catch(() => undefined);
        throw err;
      }
    } finally {
      await one.close();
    }
  }

  private async runMigrations(sequelize: Sequelize, log?: Logger): Promise<void> {
    const umzug = new Umzug({
      migrations: {
        glob: ["migrations/*.{ts,js}", { cwd: __dirname, ignore: ["**/*.d.ts"] }],
        resolve: ({ name, path: file, context }) => {
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          const mod = require(file!) as Migration;
          // Recorded under its source name (`0001-core.ts`) whether it runs from src/ (tsx) or compiled
          // (dist/migrations/0001-core.js): a database migrated by either is up to date for the other.
          return { name: name.replace(/\.js$/, ".ts"), up: () => mod.up(context), down: () => mod.down(context) };
        },
      },
      context: sequelize.getQueryInterface(),
      storage: new SequelizeStorage({ sequelize, tableName: "schema_migrations" }),
      logger: undefined,
    });
    const done = await umzug.up();
    if (done.length) log?.info({ migrations: done.map((m) => m.name) }, "database migrated");
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
